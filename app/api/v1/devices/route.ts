import { createDeviceOp, listDevicesOp } from "@/lib/api/operations/devices";
import { route } from "@/lib/api/route";

export const dynamic = "force-dynamic";

// GET /api/v1/devices, POST /api/v1/devices (API key)
export const GET = route(listDevicesOp);
export const POST = route(createDeviceOp);
