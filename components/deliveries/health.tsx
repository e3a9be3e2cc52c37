import type { ReactNode } from "react";
import { getDb } from "@/db/client";
import { deliveryHealth, type HealthBucket } from "@/lib/delivery/log";

/**
 * 24 hourly bars of delivery attempts: successes (green) stacked on failures (red). Pure; renders on the server.
 * With no attempt at all it says so and offers `emptyAction` (e.g. a link to send a test event) instead of 24 dashes.
 */
export function DeliveryHealthChart({ buckets, emptyAction }: { buckets: HealthBucket[]; emptyAction?: ReactNode }) {
  const max = Math.max(1, ...buckets.map((b) => b.succeeded + b.failed));
  const totalOk = buckets.reduce((n, b) => n + b.succeeded, 0);
  const totalFailed = buckets.reduce((n, b) => n + b.failed, 0);
  const total = totalOk + totalFailed;
  const hourLabel = (iso: string) => `${iso.slice(11, 13)}:00 UTC`;
  if (total === 0) {
    return (
      <div className="flex flex-col items-start gap-3 rounded-md border border-dashed border-line-strong px-4 py-5" data-testid="health-empty">
        <p className="text-sm text-muted">
          No deliveries in the last 24 hours{emptyAction ? <> — {emptyAction}</> : "."}
        </p>
      </div>
    );
  }
  return (
    <figure className="space-y-2" aria-label="Delivery attempts over the last 24 hours">
      <figcaption className="flex flex-wrap items-baseline justify-between gap-2 text-sm">
        <span className="font-medium">Last 24 hours</span>
        <span className="text-muted">
          <span className="text-success">{totalOk} succeeded</span> · <span className={totalFailed ? "text-danger" : ""}>{totalFailed} failed</span>
          {total ? ` · ${Math.round((totalOk / total) * 100)} % success` : ""}
        </span>
      </figcaption>
      <div className="flex h-20 items-end gap-[3px]" role="img" aria-label={`${totalOk} successful and ${totalFailed} failed attempts in the last 24 hours`}>
        {buckets.map((b) => {
          const n = b.succeeded + b.failed;
          const height = n === 0 ? 0 : Math.max(6, Math.round((n / max) * 100));
          return (
            <div
              key={b.hour}
              className="flex h-full flex-1 flex-col justify-end"
              title={`${hourLabel(b.hour)}: ${b.succeeded} succeeded, ${b.failed} failed`}
            >
              {n === 0 ? (
                <div className="h-[3px] rounded-sm bg-line" />
              ) : (
                <div className="flex flex-col overflow-hidden rounded-sm" style={{ height: `${height}%` }}>
                  <div className="bg-danger" style={{ flexGrow: b.failed }} />
                  <div className="bg-success" style={{ flexGrow: b.succeeded }} />
                </div>
              )}
            </div>
          );
        })}
      </div>
      <div className="flex justify-between text-[11px] text-faint">
        <span>{hourLabel(buckets[0]?.hour ?? new Date().toISOString())}</span>
        <span>now</span>
      </div>
    </figure>
  );
}

/** The health chart of one webhook, loaded on the server (for the webhook page and its deliveries tab). */
export async function WebhookDeliveryHealth({ orgId, webhookId, emptyAction }: { orgId: number; webhookId: number; emptyAction?: ReactNode }) {
  const buckets = await deliveryHealth(await getDb(), orgId, webhookId);
  return <DeliveryHealthChart buckets={buckets} emptyAction={emptyAction} />;
}
