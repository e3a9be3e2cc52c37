import { createDeviceResponse, devicesListResponse } from "@/lib/devices/session-api";
import { withMember } from "@/lib/http/session-route";

export const dynamic = "force-dynamic";

// GET /api/orgs/{slug}/devices — one page of devices (?q, status, tag, after, limit; counts=1 adds per-status counts)
export const GET = withMember("org.read", (req, ctx) => devicesListResponse(req, ctx));

// POST /api/orgs/{slug}/devices — create a device (JSON, same rules as the form); answers the token once
export const POST = withMember("device.modify", (req, ctx) => createDeviceResponse(req, ctx));
