import { deleteDeviceOp, getDeviceOp, updateDeviceOp } from "@/lib/api/operations/devices";
import { route } from "@/lib/api/route";

export const dynamic = "force-dynamic";

// GET/PATCH/DELETE /api/v1/devices/{id} (API key). The folder's segment is named [udid] because the device-token
// routes below it (status, signals) take a UDID; here it carries the device's numeric id.
const id = { udid: "id" };
export const GET = route(getDeviceOp, id);
export const PATCH = route(updateDeviceOp, id);
export const DELETE = route(deleteDeviceOp, id);
