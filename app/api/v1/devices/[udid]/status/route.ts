import { handleDeviceRequest, STATUS_REPORT } from "@/lib/devices/api";

export const dynamic = "force-dynamic";

// POST /api/v1/devices/{udid}/status — a device reports its status, firmware and optional signals (device token)
export async function POST(req: Request, { params }: { params: Promise<{ udid: string }> }) {
  return handleDeviceRequest(req, params, STATUS_REPORT);
}
