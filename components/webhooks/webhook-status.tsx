import { Badge, Timestamp, Truncate } from "@/components/ui";

/** Active / Disabled pill, with the reason under it when disabled. */
export function WebhookStatus({ enabled, reason }: { enabled: boolean; reason: string | null }) {
  if (enabled) return <Badge tone="success" dot>Active</Badge>;
  return (
    <span className="inline-flex flex-col items-start gap-0.5">
      <Badge tone="danger" dot>
        Disabled
      </Badge>
      {reason ? <span className="max-w-56 text-xs text-muted">{reason}</span> : null}
    </span>
  );
}

/** The last delivery attempt's outcome; `inline` is the one-line form of the phone cards. */
export function LastDelivery({ at, status, error, inline = false }: { at: Date | null; status: number | null; error: string | null; inline?: boolean }) {
  if (!at) return <span className="text-sm text-faint">No deliveries yet</span>;
  const ok = status != null && status >= 200 && status < 300;
  const code = <Badge tone={ok ? "success" : status != null ? "warning" : "danger"}>{status != null ? `HTTP ${status}` : "Failed"}</Badge>;
  if (inline) {
    return (
      <span className="inline-flex items-center gap-1.5">
        {code}
        <Timestamp value={at} />
      </span>
    );
  }
  return (
    <span className="inline-flex flex-col items-start gap-0.5">
      {code}
      <span className="max-w-56 text-xs text-muted">
        {!ok && error ? (
          <>
            <Truncate text={error} max={40} /> ·{" "}
          </>
        ) : null}
        <Timestamp value={at} />
      </span>
    </span>
  );
}

/** Success rate of the last 24 hours, e.g. "98.5 % of 200"; `small` in the phone cards. */
export function SuccessRate({ attempts, succeeded, small = false }: { attempts: number; succeeded: number; small?: boolean }) {
  if (attempts === 0) return <span className={small ? "text-xs text-faint" : "text-sm text-faint"}>{small ? "no attempts (24 h)" : "—"}</span>;
  const rate = (succeeded / attempts) * 100;
  const text = rate === 100 || rate === 0 ? `${rate.toFixed(0)} %` : `${rate.toFixed(1)} %`;
  return (
    <span className={small ? "text-xs" : "text-sm"}>
      <span className={rate >= 95 ? "text-success" : rate >= 50 ? "text-warning" : "text-danger"}>{text}</span>
      <span className="text-muted"> of {attempts}</span>
    </span>
  );
}
