import "server-only";
import { sql } from "drizzle-orm";
import { queryRows, type Db } from "@/db/client";
import { intEnv } from "@/lib/env";

/** DELIVERY_RETENTION_DAYS (default 30): how long succeeded deliveries and their attempts are kept. */
export function retentionDays(): number {
  return intEnv("DELIVERY_RETENTION_DAYS", 30);
}

/**
 * Deletes succeeded deliveries (their attempts go with them, ON DELETE CASCADE) and test attempts older than the
 * retention period, in small batches so a tick never holds long locks. Failed and pending deliveries are kept for
 * replay. Returns the number of deliveries and attempts removed.
 */
export async function pruneDeliveries(
  db: Db,
  now: Date = new Date(),
  opts: { batchSize?: number; maxBatches?: number; days?: number } = {},
): Promise<number> {
  const days = opts.days ?? retentionDays();
  if (days <= 0) return 0;
  const batchSize = opts.batchSize ?? 500;
  const maxBatches = opts.maxBatches ?? 4;
  const cutoff = new Date(now.getTime() - days * 86_400_000).toISOString();
  let removed = 0;
  for (let i = 0; i < maxBatches; i++) {
    // served by outbox_completed_idx (completed_at where status <> 'pending')
    const [row] = await queryRows<{ n: number }>(
      db,
      sql`with doomed as (
            select id from outbox
            where status <> 'pending' and status = 'succeeded' and completed_at < ${cutoff}::timestamptz
            order by completed_at
            limit ${batchSize}
            for update skip locked),
          deleted as (delete from outbox o using doomed where o.id = doomed.id returning 1)
          select count(*)::int as n from deleted`,
    );
    const n = Number(row?.n ?? 0);
    removed += n;
    if (n < batchSize) break;
  }
  // test sends (Send test event, endpoint checks) have no outbox row
  const [tests] = await queryRows<{ n: number }>(
    db,
    sql`with deleted as (
          delete from delivery_attempts where id in (
            select id from delivery_attempts
            where outbox_id is null and attempted_at < ${cutoff}::timestamptz
            limit ${batchSize})
          returning 1)
        select count(*)::int as n from deleted`,
  );
  return removed + Number(tests?.n ?? 0);
}
