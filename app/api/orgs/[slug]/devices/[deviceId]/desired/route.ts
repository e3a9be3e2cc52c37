import { desiredViewResponse, desiredWriteResponse } from "@/lib/devices/session-api";
import { withMember } from "@/lib/http/session-route";

export const dynamic = "force-dynamic";

// GET /api/orgs/{slug}/devices/{deviceId}/desired — desired config, target firmware and what the device reported
export const GET = withMember<{ slug: string; deviceId: string }>("org.read", (_req, ctx, p) => desiredViewResponse(ctx, p.deviceId));

// PUT /api/orgs/{slug}/devices/{deviceId}/desired — write { config, firmwareVersion?, baseVersion? } (owners, admins)
export const PUT = withMember<{ slug: string; deviceId: string }>("device.modify", (req, ctx, p) => desiredWriteResponse(req, ctx, p.deviceId));
