import "server-only";
import { sql } from "drizzle-orm";
import { queryRows, type Db } from "@/db/client";

// Parking the pending rows of disabled webhooks at next_attempt_at = 'infinity' and resuming them. Here, below the
// engine, because both the engine (auto-disable, the tick) and the webhook settings (Enable/Disable) use them; the
// lease rules they respect are described at the top of lib/delivery/claim.ts.

const iso = (d: Date) => d.toISOString();

/** Parks the pending, unleased rows of (disabled) webhooks at next_attempt_at = 'infinity'. */
export async function parkWebhookDeliveries(db: Db, webhookIds: number[]): Promise<void> {
  if (webhookIds.length === 0) return;
  await db.execute(sql`
    update outbox set next_attempt_at = 'infinity', locked_until = null
    where status = 'pending' and locked_until is null
      and webhook_id in (${sql.join(webhookIds.map((id) => sql`${id}`), sql`, `)})`);
}

/**
 * Makes parked rows of enabled webhooks due now (re-enable resumes delivery). Only parked rows: a row leased to a
 * worker (a send in flight) keeps its lease, so it is never sent twice. With `webhookId`, only that webhook's rows
 * (the Enable action calls it inside its transaction). Returns how many rows resumed.
 */
export async function resumeParkedDeliveries(db: Db, now: Date = new Date(), webhookId?: number): Promise<number> {
  const rows = await queryRows<{ n: number }>(
    db,
    sql`with resumed as (
          update outbox o set next_attempt_at = ${iso(now)}::timestamptz
          from webhooks w
          where o.status = 'pending' and o.next_attempt_at = 'infinity'::timestamptz
            and w.id = o.webhook_id and w.enabled
            ${webhookId !== undefined ? sql`and w.id = ${webhookId}` : sql``}
          returning 1)
        select count(*)::int as n from resumed`,
  );
  return Number(rows[0]?.n ?? 0);
}
