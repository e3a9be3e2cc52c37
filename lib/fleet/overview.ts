import "server-only";
import { sql } from "drizzle-orm";
import { queryRows, type Db } from "@/db/client";
import { countDevicesByStatus, type StatusCounts } from "@/lib/devices/queries";

export const OVERVIEW_RANGES = ["24h", "7d"] as const;
export type OverviewRange = (typeof OVERVIEW_RANGES)[number];
const RANGE_MS: Record<OverviewRange, number> = { "24h": 86_400_000, "7d": 7 * 86_400_000 };
/** Status samples are 5 minutes apart; over 7 days one per hour is plenty for a chart (168 points). */
const STATUS_STEP: Record<OverviewRange, string> = { "24h": "5 minutes", "7d": "1 hour" };

export type StatusPoint = {
  t: number;
  online: number;
  offline: number;
  utilizing: number;
  unplugged: number;
  neverConnected: number;
};
export type HourlyCounts = { hours: number[]; series: Record<string, number[]> };
export type AttentionWebhook = {
  id: number;
  name: string;
  enabled: boolean;
  disabledReason: string | null;
  consecutiveFailures: number;
  failingSince: string | null;
};
export type OverviewDevice = { id: number; name: string; udid: string; lastSeenAt: string | null; createdAt: string };

export type FleetOverview = {
  range: OverviewRange;
  /** Start of the range (ms); the charts span [from, generatedAt]. */
  from: number;
  generatedAt: string;
  counts: StatusCounts;
  statusSeries: StatusPoint[];
  eventsPerHour: HourlyCounts;
  deliveriesPerHour: HourlyCounts;
  webhooksNeedingAttention: AttentionWebhook[];
  recentlyOffline: OverviewDevice[];
  neverConnected: OverviewDevice[];
};

const HOUR = 3_600_000;
const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);

/** Per-hour sums of a (bucket, key, count) aggregate into aligned arrays (every hour of the range, zeros included). */
function hourly(rows: Array<{ h: number | string; k: string; n: number }>, fromHour: number, toHour: number): HourlyCounts {
  const hours: number[] = [];
  for (let h = fromHour; h <= toHour; h += HOUR) hours.push(h);
  const series: Record<string, number[]> = {};
  for (const r of rows) {
    const i = Math.round((Number(r.h) - fromHour) / HOUR);
    if (i < 0 || i >= hours.length) continue;
    (series[r.k] ??= new Array(hours.length).fill(0))[i] += Number(r.n);
  }
  return { hours, series };
}

/**
 * Everything the fleet overview shows, for one org: a handful of indexed reads, all from the pre-aggregated
 * tables (lib/fleet/rollup.ts) or small partial indexes — nothing scans raw events or deliveries.
 */
export async function fleetOverview(db: Db, orgId: number, range: OverviewRange, now: Date = new Date()): Promise<FleetOverview> {
  const from = new Date(now.getTime() - RANGE_MS[range]);
  const fromHour = Math.floor(from.getTime() / HOUR) * HOUR;
  const toHour = Math.floor(now.getTime() / HOUR) * HOUR;
  const fromIso = new Date(fromHour).toISOString();
  const hourSql = (c: string) => sql.raw(`extract(epoch from date_bin('1 hour', ${c}, timestamptz '1970-01-01T00:00:00Z'))::float8 * 1000`);
  const [counts, samples, eventRows, deliveryRows, hooks, offline, never] = await Promise.all([
    countDevicesByStatus(db, orgId),
    queryRows<{ t: number; online: number; offline: number; utilizing: number; unplugged: number; never_connected: number }>(
      db,
      sql`select distinct on (b) extract(epoch from b)::float8 * 1000 as t, online, offline, utilizing, unplugged, never_connected
          from (select date_bin(${STATUS_STEP[range]}::interval, bucket, timestamptz '1970-01-01T00:00:00Z') as b, *
                from fleet_status_samples
                where org_id = ${orgId} and bucket >= ${from.toISOString()}::timestamptz) s
          order by b, bucket`,
    ),
    queryRows<{ h: number; k: string; n: number }>(
      db,
      sql`select ${hourSql("bucket")} as h, type as k, sum(count)::int as n
          from fleet_event_counts where org_id = ${orgId} and bucket >= ${fromIso}::timestamptz
          group by 1, 2`,
    ),
    queryRows<{ h: number; k: string; n: number }>(
      db,
      sql`select ${hourSql("bucket")} as h, outcome as k, sum(count)::int as n
          from fleet_delivery_counts where org_id = ${orgId} and bucket >= ${fromIso}::timestamptz
          group by 1, 2`,
    ),
    queryRows<{ id: number; name: string; enabled: boolean; disabled_reason: string | null; consecutive_failures: number; failing_since: Date | string | null }>(
      db,
      sql`select id, name, enabled, disabled_reason, consecutive_failures, failing_since
          from webhooks where org_id = ${orgId} and (not enabled or consecutive_failures > 0)
          order by enabled, consecutive_failures desc, name limit 10`,
    ),
    queryRows<{ id: number; name: string; udid: string; last_seen_at: Date | string | null; created_at: Date | string }>(
      db,
      sql`select id, name, udid, last_seen_at, created_at from devices
          where org_id = ${orgId} and status = 'offline' and last_seen_at is not null
          order by last_seen_at desc nulls last limit 8`,
    ),
    queryRows<{ id: number; name: string; udid: string; last_seen_at: Date | string | null; created_at: Date | string }>(
      db,
      sql`select id, name, udid, last_seen_at, created_at from devices
          where org_id = ${orgId} and status = 'offline' and last_seen_at is null
          order by name, id limit 8`,
    ),
  ]);
  const device = (r: (typeof offline)[number]): OverviewDevice => ({
    id: r.id,
    name: r.name,
    udid: r.udid,
    lastSeenAt: iso(r.last_seen_at),
    createdAt: iso(r.created_at)!,
  });
  return {
    range,
    from: from.getTime(),
    generatedAt: now.toISOString(),
    counts,
    // the samples, then the live counts as the last point (so a fleet younger than one sample still has a chart)
    statusSeries: [
      ...samples
        .filter((r) => Number(r.t) < now.getTime())
        .map((r) => ({
          t: Number(r.t),
          online: r.online,
          offline: r.offline,
          utilizing: r.utilizing,
          unplugged: r.unplugged,
          neverConnected: r.never_connected,
        })),
      {
        t: now.getTime(),
        online: counts.online,
        offline: counts.offline,
        utilizing: counts.utilizing,
        unplugged: counts.unplugged,
        neverConnected: counts.never_connected,
      },
    ],
    eventsPerHour: hourly(eventRows, fromHour, toHour),
    deliveriesPerHour: hourly(deliveryRows, fromHour, toHour),
    webhooksNeedingAttention: hooks.map((h) => ({
      id: h.id,
      name: h.name,
      enabled: h.enabled,
      disabledReason: h.disabled_reason,
      consecutiveFailures: h.consecutive_failures,
      failingSince: iso(h.failing_since),
    })),
    recentlyOffline: offline.map(device),
    neverConnected: never.map(device),
  };
}
