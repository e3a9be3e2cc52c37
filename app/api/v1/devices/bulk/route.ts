import { bulkCreateDevicesOp } from "@/lib/api/operations/devices";
import { route } from "@/lib/api/route";

export const dynamic = "force-dynamic";

// POST /api/v1/devices/bulk (API key). A static segment: Next matches it before the [udid] folder.
export const POST = route(bulkCreateDevicesOp);
