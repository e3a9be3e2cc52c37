import { deviceDetailResponse } from "@/lib/devices/session-api";
import { withMember } from "@/lib/http/session-route";

export const dynamic = "force-dynamic";

// GET /api/orgs/{slug}/devices/{deviceId} — the device with its recent events, signals and token prefix
export const GET = withMember<{ slug: string; deviceId: string }>("org.read", (_req, ctx, p) => deviceDetailResponse(ctx, p.deviceId));
