import { regenerateDeviceTokenOp } from "@/lib/api/operations/devices";
import { route } from "@/lib/api/route";

export const dynamic = "force-dynamic";

// POST /api/v1/devices/{id}/token (API key): a new device token, the old one revoked at once
export const POST = route(regenerateDeviceTokenOp, { udid: "id" });
