// GET /api/metrics — Prometheus text of this process (Authorization: Bearer <METRICS_TOKEN>; closed when unset)
import { handleMetricsRequest } from "@/lib/jobs/metrics";

export const dynamic = "force-dynamic";

export async function GET(req: Request) {
  return handleMetricsRequest(req);
}
