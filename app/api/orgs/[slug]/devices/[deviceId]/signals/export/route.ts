import { signalsExportResponse } from "@/lib/fleet/signals-api";
import { withMember } from "@/lib/http/session-route";

export const dynamic = "force-dynamic";

// GET /api/orgs/{slug}/devices/{deviceId}/signals/export?range=…(&name) — the range's signal rows as CSV, streamed
export const GET = withMember<{ slug: string; deviceId: string }>("org.read", (req, ctx, p) => signalsExportResponse(req, ctx, p.deviceId));
