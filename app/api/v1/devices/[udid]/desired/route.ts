import { handleDesiredRequest } from "@/lib/devices/api";

export const dynamic = "force-dynamic";

// GET /api/v1/devices/{udid}/desired — the device's desired config and target firmware (device token); ETag on the
// version, If-None-Match → 304
export async function GET(req: Request, { params }: { params: Promise<{ udid: string }> }) {
  return handleDesiredRequest(req, params);
}
