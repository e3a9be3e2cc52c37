import "server-only";
import { sql } from "drizzle-orm";
import { queryRows, type Db } from "@/db/client";
import { intEnv } from "@/lib/env";

/** SIGNAL_RETENTION_DAYS (default 30): how long raw signal rows are kept (0 keeps them forever). */
export const signalRetentionDays = () => intEnv("SIGNAL_RETENTION_DAYS", 30);
/** EVENT_RETENTION_DAYS (default 90): how long events are kept (0 keeps them forever). */
export const eventRetentionDays = () => intEnv("EVENT_RETENTION_DAYS", 90);
/** FLEET_AGGREGATE_RETENTION_DAYS (default 400): how long the overview's per-5-minute aggregates are kept. */
export const aggregateRetentionDays = () => intEnv("FLEET_AGGREGATE_RETENTION_DAYS", 400);

type Opts = { batchSize?: number; maxBatches?: number; days?: number };

const cutoffOf = (now: Date, days: number) => new Date(now.getTime() - days * 86_400_000).toISOString();

/** Runs `batch` (one bounded DELETE returning its count) until it removes less than a batch or maxBatches pass. */
async function inBatches(maxBatches: number, batchSize: number, batch: () => Promise<number>): Promise<number> {
  let removed = 0;
  for (let i = 0; i < maxBatches; i++) {
    const n = await batch();
    removed += n;
    if (n < batchSize) break;
  }
  return removed;
}

const count = (rows: Array<{ n: number }>) => Number(rows[0]?.n ?? 0);

/** Deletes signal rows older than SIGNAL_RETENTION_DAYS in small batches (signals_received_brin_idx finds them). */
export async function pruneSignals(db: Db, now: Date = new Date(), opts: Opts = {}): Promise<number> {
  const days = opts.days ?? signalRetentionDays();
  if (days <= 0) return 0;
  const batchSize = opts.batchSize ?? 1_000;
  const cutoff = cutoffOf(now, days);
  return inBatches(opts.maxBatches ?? 4, batchSize, async () =>
    count(
      await queryRows<{ n: number }>(
        db,
        sql`with doomed as (
              select id from signals where received_at < ${cutoff}::timestamptz
              limit ${batchSize}
              for update skip locked),
            deleted as (delete from signals s using doomed where s.id = doomed.id returning 1)
            select count(*)::int as n from deleted`,
      ),
    ),
  );
}

/**
 * Deletes events older than EVENT_RETENTION_DAYS in small batches, never one with a delivery still pending (it
 * stays until its deliveries finish); finished deliveries of a deleted event and their attempts go with it
 * (ON DELETE CASCADE). The event row is locked (SKIP LOCKED) before the check, and queuing a delivery for an event
 * takes a key-share lock on it, so a delivery queued at that moment either is seen or waits for the delete.
 */
export async function pruneEvents(db: Db, now: Date = new Date(), opts: Opts = {}): Promise<number> {
  const days = opts.days ?? eventRetentionDays();
  if (days <= 0) return 0;
  const batchSize = opts.batchSize ?? 500;
  const cutoff = cutoffOf(now, days);
  return inBatches(opts.maxBatches ?? 4, batchSize, async () =>
    count(
      await queryRows<{ n: number }>(
        db,
        sql`with doomed as (
              select e.id from events e
              where e.created_at < ${cutoff}::timestamptz
                and not exists (select 1 from outbox o where o.event_id = e.id and o.status = 'pending')
              limit ${batchSize}
              for update of e skip locked),
            deleted as (
              delete from events e using doomed
              where e.id = doomed.id
                and not exists (select 1 from outbox o where o.event_id = e.id and o.status = 'pending')
              returning 1)
            select count(*)::int as n from deleted`,
      ),
    ),
  );
}

/** Deletes the overview's aggregate rows older than FLEET_AGGREGATE_RETENTION_DAYS (kept far longer than raw rows). */
export async function pruneFleetAggregates(db: Db, now: Date = new Date(), opts: Opts = {}): Promise<number> {
  const days = opts.days ?? aggregateRetentionDays();
  if (days <= 0) return 0;
  const batchSize = opts.batchSize ?? 2_000;
  const cutoff = cutoffOf(now, days);
  let removed = 0;
  for (const table of ["fleet_event_counts", "fleet_delivery_counts", "fleet_status_samples"]) {
    removed += await inBatches(opts.maxBatches ?? 2, batchSize, async () =>
      count(
        await queryRows<{ n: number }>(
          db,
          sql`with deleted as (
                delete from ${sql.identifier(table)} where ctid in (
                  select ctid from ${sql.identifier(table)} where bucket < ${cutoff}::timestamptz limit ${batchSize})
                returning 1)
              select count(*)::int as n from deleted`,
        ),
      ),
    );
  }
  return removed;
}

/** The telemetry share of a tick's retention: signals, events, old aggregates. */
export async function pruneTelemetry(db: Db, now: Date = new Date()): Promise<{ signals: number; events: number; aggregates: number }> {
  return {
    signals: await pruneSignals(db, now),
    events: await pruneEvents(db, now),
    aggregates: await pruneFleetAggregates(db, now),
  };
}
