import "server-only";
import { sql } from "drizzle-orm";
import { queryRows, type Db } from "@/db/client";
import { intEnv } from "@/lib/env";

/**
 * Deletes finished emails (sent, stored, failed, cancelled; their attempts go with them) older than
 * EMAIL_RETENTION_DAYS (30; 0 keeps them forever), a few small batches per tick. Pending emails are never pruned.
 */
export async function pruneEmails(db: Db, now: Date = new Date(), opts: { batchSize?: number; maxBatches?: number } = {}): Promise<number> {
  const days = intEnv("EMAIL_RETENTION_DAYS", 30);
  if (days <= 0) return 0;
  const batchSize = opts.batchSize ?? 500;
  const cutoff = new Date(now.getTime() - days * 86_400_000).toISOString();
  let removed = 0;
  for (let i = 0; i < (opts.maxBatches ?? 4); i++) {
    // served by email_outbox_completed_idx (completed_at where status <> 'pending')
    const [row] = await queryRows<{ n: number }>(
      db,
      sql`with doomed as (
            select id from email_outbox
            where status <> 'pending' and completed_at < ${cutoff}::timestamptz
            order by completed_at limit ${batchSize}
            for update skip locked),
          deleted as (delete from email_outbox e using doomed where e.id = doomed.id returning 1)
          select count(*)::int as n from deleted`,
    );
    const n = Number(row?.n ?? 0);
    removed += n;
    if (n < batchSize) break;
  }
  return removed;
}
