import { signalsResponse } from "@/lib/fleet/signals-api";
import { withMember } from "@/lib/http/session-route";

export const dynamic = "force-dynamic";

// GET /api/orgs/{slug}/devices/{deviceId}/signals — last-known values; ?name=…&range=1h|24h|7d|custom(&from&to)&points=N — one signal's chart data
export const GET = withMember<{ slug: string; deviceId: string }>("org.read", (req, ctx, p) => signalsResponse(req, ctx, p.deviceId));
