import "server-only";
import { sql } from "drizzle-orm";
import { queryRows, type Db } from "@/db/client";
import { intEnv } from "@/lib/env";

/** Width of one aggregate bucket (the fleet overview sums them per hour). */
export const BUCKET_MS = 5 * 60_000;
/** Recent buckets are recounted each run, so events committed a little after their created_at are still counted. */
export const GRACE_MS = 2 * 60_000;
/** At most this much raw time is counted per run (a first run catches up on the last BACKFILL_MS this way). */
const MAX_SPAN_MS = 24 * 3_600_000;
/** On the first run, history is counted back this far. */
const BACKFILL_MS = 7 * 24 * 3_600_000;

export const floorBucket = (t: number) => Math.floor(t / BUCKET_MS) * BUCKET_MS;
/** The SQL bucket of a timestamptz expression (5-minute bins from the epoch, independent of the session time zone). */
export const bucketSql = (column: string) =>
  sql.raw(`date_bin('5 minutes', ${column}, timestamptz '1970-01-01T00:00:00Z')`);

/** FLEET_ROLLUP_SECONDS (default 15): how often the tick recounts the recent buckets. */
function rollupEveryMs(): number {
  return intEnv("FLEET_ROLLUP_SECONDS", 15) * 1000;
}

type Source = "events" | "deliveries";

/** The statement that recounts [from, to) of one source into its aggregate table, replacing the buckets' counts. */
function recountSql(source: Source, from: string, to: string) {
  if (source === "events") {
    // events_created_brin_idx narrows the scan to the recent block ranges
    return sql`insert into fleet_event_counts (org_id, bucket, type, count)
      select org_id, ${bucketSql("created_at")}, type, count(*)::int
      from events
      where created_at >= ${from}::timestamptz and created_at < ${to}::timestamptz
      group by 1, 2, 3
      on conflict (org_id, bucket, type) do update set count = excluded.count`;
  }
  // outbox_completed_idx (completed_at where status <> 'pending')
  return sql`insert into fleet_delivery_counts (org_id, bucket, outcome, count)
    select org_id, ${bucketSql("completed_at")}, status, count(*)::int
    from outbox
    where status <> 'pending' and completed_at >= ${from}::timestamptz and completed_at < ${to}::timestamptz
    group by 1, 2, 3
    on conflict (org_id, bucket, outcome) do update set count = excluded.count`;
}

/**
 * Recounts one source's recent buckets if its last run is older than the throttle. The watermark row is locked
 * (SKIP LOCKED) for the run, so concurrent ticks (several workers, the cron route) never count twice at once; the
 * counts replace the buckets' previous ones, so a rerun is harmless. Returns whether it ran.
 */
async function rollupSource(db: Db, source: Source, now: Date, force: boolean): Promise<boolean> {
  const nowMs = now.getTime();
  return db.transaction(async (tx) => {
    await queryRows(
      tx,
      sql`insert into fleet_rollups (name, done_until)
          values (${source}, ${new Date(floorBucket(nowMs - BACKFILL_MS)).toISOString()}::timestamptz)
          on conflict (name) do nothing`,
    );
    const [state] = await queryRows<{ done_until: Date | string }>(
      tx,
      sql`select done_until from fleet_rollups where name = ${source} for update skip locked`,
    );
    if (!state) return false;
    const doneUntil = new Date(state.done_until).getTime();
    if (!force && doneUntil > nowMs - rollupEveryMs()) return false;
    const from = floorBucket(doneUntil - GRACE_MS);
    const to = Math.min(nowMs, from + MAX_SPAN_MS);
    if (to <= from) return false;
    await queryRows(tx, recountSql(source, new Date(from).toISOString(), new Date(to).toISOString()));
    await queryRows(
      tx,
      sql`update fleet_rollups set done_until = greatest(done_until, ${new Date(to).toISOString()}::timestamptz)
          where name = ${source}`,
    );
    return true;
  });
}

/**
 * Samples every org's device-status occupancy once per bucket (the first run in a bucket writes it): devices per
 * status, never-connected devices apart from offline ones. One grouped scan of devices per 5 minutes.
 */
async function sampleStatus(db: Db, now: Date): Promise<boolean> {
  const bucket = new Date(floorBucket(now.getTime())).toISOString();
  const rows = await queryRows<{ n: number }>(
    db,
    sql`with claimed as (
          insert into fleet_rollups (name, done_until) values ('status', ${bucket}::timestamptz)
          on conflict (name) do update set done_until = excluded.done_until
            where fleet_rollups.done_until < excluded.done_until
          returning 1),
        sampled as (
          insert into fleet_status_samples (org_id, bucket, online, offline, utilizing, unplugged, never_connected)
          select org_id, ${bucket}::timestamptz,
            count(*) filter (where status = 'online')::int,
            count(*) filter (where status = 'offline' and last_seen_at is not null)::int,
            count(*) filter (where status = 'utilizing')::int,
            count(*) filter (where status = 'unplugged')::int,
            count(*) filter (where status = 'offline' and last_seen_at is null)::int
          from devices
          where exists (select 1 from claimed)
          group by org_id
          on conflict (org_id, bucket) do nothing
          returning 1)
        select (select count(*) from claimed)::int as n`,
  );
  return Number(rows[0]?.n ?? 0) > 0;
}

export type RollupResult = { events: boolean; deliveries: boolean; status: boolean };

/**
 * The fleet aggregates' share of a tick: recount recent event and delivery buckets (throttled by
 * FLEET_ROLLUP_SECONDS; `force` skips the throttle) and sample device statuses once per bucket.
 */
export async function runFleetRollups(db: Db, now: Date = new Date(), opts: { force?: boolean } = {}): Promise<RollupResult> {
  const force = opts.force ?? false;
  return {
    events: await rollupSource(db, "events", now, force),
    deliveries: await rollupSource(db, "deliveries", now, force),
    status: await sampleStatus(db, now),
  };
}

/** Runs the event and delivery rollups until they have counted everything up to `now` (tests, first start). */
export async function catchUpFleetRollups(db: Db, now: Date = new Date()): Promise<void> {
  for (let i = 0; i < 100; i++) {
    await runFleetRollups(db, now, { force: true });
    const rows = await queryRows<{ n: number }>(
      db,
      sql`select count(*)::int as n from fleet_rollups
          where name in ('events', 'deliveries') and done_until >= ${now.toISOString()}::timestamptz`,
    );
    if (Number(rows[0]?.n) === 2) return;
  }
}
