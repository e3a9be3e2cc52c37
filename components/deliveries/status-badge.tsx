import { Badge } from "@/components/ui";

/** Status of one delivery: Succeeded, Failed, Retrying (pending after a failure), Queued, Sending, or Paused. */
export function DeliveryStatusBadge({
  status,
  attempts,
  parked,
  inFlight,
}: {
  status: "pending" | "succeeded" | "failed";
  attempts: number;
  parked: boolean;
  inFlight: boolean;
}) {
  if (status === "succeeded") return <Badge tone="success" dot>Succeeded</Badge>;
  if (status === "failed") return <Badge tone="danger" dot>Failed</Badge>;
  if (parked) return <Badge tone="neutral" dot>Paused</Badge>;
  if (inFlight) return <Badge tone="accent" dot>Sending</Badge>;
  if (attempts > 0) return <Badge tone="warning" dot>Retrying</Badge>;
  return <Badge tone="accent" dot>Queued</Badge>;
}

/** The HTTP status of the last response, coloured by class, or "—". */
export function ResponseCode({ code }: { code: number | null }) {
  if (code == null) return <span className="text-faint">—</span>;
  const tone = code >= 200 && code < 300 ? "text-success" : code >= 300 && code < 500 ? "text-warning" : "text-danger";
  return <span className={`font-mono text-[13px] font-medium ${tone}`}>{code}</span>;
}
