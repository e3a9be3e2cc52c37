import { regenerateTokenResponse } from "@/lib/devices/session-api";
import { withMember } from "@/lib/http/session-route";

export const dynamic = "force-dynamic";

// POST /api/orgs/{slug}/devices/{deviceId}/token — regenerate the device token (old one fails at once)
export const POST = withMember<{ slug: string; deviceId: string }>("device.modify", (_req, ctx, p) => regenerateTokenResponse(ctx, p.deviceId));
