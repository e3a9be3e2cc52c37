import { handleDeviceRequest } from "@/lib/devices/api";
import { statusReportSchema } from "@/lib/validation/devices";

export const dynamic = "force-dynamic";

// POST /api/v1/devices/{udid}/status — a device reports its status, firmware and optional signals (device token)
export async function POST(req: Request, { params }: { params: Promise<{ udid: string }> }) {
  return handleDeviceRequest(req, params, statusReportSchema, (body) => ({
    report: { status: body.status, firmwareVersion: body.firmwareVersion },
    ack: body.reported,
    signals: body.signals && Object.keys(body.signals).length ? body.signals : undefined,
  }));
}
