import { handleDeviceRequest } from "@/lib/devices/api";
import { signalsReportSchema } from "@/lib/validation/devices";

export const dynamic = "force-dynamic";

// POST /api/v1/devices/{udid}/signals — a device sends telemetry; stored and emitted as one device.telemetry event
export async function POST(req: Request, { params }: { params: Promise<{ udid: string }> }) {
  return handleDeviceRequest(req, params, signalsReportSchema, (body) => ({ report: {}, signals: body.signals }));
}
