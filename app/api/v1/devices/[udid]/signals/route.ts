import { handleDeviceRequest, SIGNALS_REPORT } from "@/lib/devices/api";

export const dynamic = "force-dynamic";

// POST /api/v1/devices/{udid}/signals — a device sends telemetry; stored and emitted as one device.telemetry event
export async function POST(req: Request, { params }: { params: Promise<{ udid: string }> }) {
  return handleDeviceRequest(req, params, SIGNALS_REPORT);
}
