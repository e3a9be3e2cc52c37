import "server-only";
import { sql } from "drizzle-orm";
import { queryRows, type Db } from "@/db/client";

export type SignalPoint = { t: number; min: number; max: number; last: number; count: number };
export type NumericSeries = {
  kind: "numeric";
  name: string;
  from: number;
  to: number;
  stepMs: number;
  points: SignalPoint[];
  stats: { min: number; max: number; last: number; lastAt: number; count: number } | null;
};
export type TextSeries = {
  kind: "text";
  name: string;
  from: number;
  to: number;
  /** Value changes in the range, oldest first (at most `points`, the newest ones). */
  changes: Array<{ t: number; value: unknown }>;
  truncated: boolean;
};
export type LatestSignal = { name: string; value: unknown; at: string };

const ms = (d: Date | string) => new Date(d).getTime();

/**
 * One numeric signal of one device over [from, to), downsampled on the server: the range is cut into at most
 * `maxPoints` equal time buckets (step = ceil(span / maxPoints)), and each bucket with data yields min, max, last
 * and count, so spikes survive downsampling and the chart never gets more than `maxPoints` points. Served by
 * signals_device_name_received_idx; non-numeric values of the signal are skipped.
 */
export async function numericSignalSeries(
  db: Db,
  orgId: number,
  deviceId: number,
  name: string,
  from: Date,
  to: Date,
  maxPoints: number,
): Promise<NumericSeries> {
  const span = Math.max(1, to.getTime() - from.getTime());
  const stepMs = Math.max(1, Math.ceil(span / maxPoints));
  const rows = await queryRows<{ b: number; min: number; max: number; last: number; count: number }>(
    db,
    sql`select floor(extract(epoch from (received_at - ${from.toISOString()}::timestamptz)) * 1000 / ${stepMs})::int as b,
          min(v) as min, max(v) as max, (array_agg(v order by received_at desc, id desc))[1] as last, count(*)::int as count
        from (
          select id, received_at, (value #>> '{}')::float8 as v
          from signals
          where device_id = ${deviceId} and org_id = ${orgId} and name = ${name}
            and received_at >= ${from.toISOString()}::timestamptz and received_at < ${to.toISOString()}::timestamptz
            and jsonb_typeof(value) = 'number') s
        group by 1 order by 1`,
  );
  const points = rows.map((r) => ({
    t: from.getTime() + Number(r.b) * stepMs,
    min: Number(r.min),
    max: Number(r.max),
    last: Number(r.last),
    count: Number(r.count),
  }));
  let stats: NumericSeries["stats"] = null;
  if (points.length) {
    const lastPoint = points[points.length - 1];
    stats = {
      min: Math.min(...points.map((p) => p.min)),
      max: Math.max(...points.map((p) => p.max)),
      last: lastPoint.last,
      lastAt: lastPoint.t,
      count: points.reduce((a, p) => a + p.count, 0),
    };
  }
  return { kind: "numeric", name, from: from.getTime(), to: to.getTime(), stepMs, points, stats };
}

/** A non-numeric signal as a timeline: the values where it changed, the newest `maxPoints` of them. */
export async function textSignalSeries(
  db: Db,
  orgId: number,
  deviceId: number,
  name: string,
  from: Date,
  to: Date,
  maxPoints: number,
): Promise<TextSeries> {
  const rows = await queryRows<{ received_at: Date | string; value: unknown }>(
    db,
    sql`select received_at, value from (
          select received_at, id, value, lag(value) over (order by received_at, id) as prev
          from signals
          where device_id = ${deviceId} and org_id = ${orgId} and name = ${name}
            and received_at >= ${from.toISOString()}::timestamptz and received_at < ${to.toISOString()}::timestamptz) s
        where prev is null or prev <> value
        order by received_at desc, id desc
        limit ${maxPoints + 1}`,
  );
  const truncated = rows.length > maxPoints;
  const changes = rows
    .slice(0, maxPoints)
    .reverse()
    .map((r) => ({ t: ms(r.received_at), value: r.value }));
  return { kind: "text", name, from: from.getTime(), to: to.getTime(), changes, truncated };
}

/** Whether the signal's most recent value in the org's device is a number (decides chart or timeline). */
export async function signalIsNumeric(db: Db, orgId: number, deviceId: number, name: string): Promise<boolean | null> {
  const [row] = await queryRows<{ kind: string }>(
    db,
    sql`select jsonb_typeof(value) as kind from signals
        where device_id = ${deviceId} and org_id = ${orgId} and name = ${name}
        order by received_at desc limit 1`,
  );
  return row ? row.kind === "number" : null;
}

/**
 * The last-known value of every signal of the device: kept on the device row by each contact (last_signals),
 * or, for a device that has not reported since that column came, read from its most recent signal rows.
 */
export async function latestSignals(db: Db, orgId: number, deviceId: number): Promise<LatestSignal[] | null> {
  const [device] = await queryRows<{ last_signals: Record<string, { v: unknown; at: string }> | string | null }>(
    db,
    sql`select last_signals from devices where id = ${deviceId} and org_id = ${orgId}`,
  );
  if (!device) return null;
  const stored = typeof device.last_signals === "string" ? JSON.parse(device.last_signals) : device.last_signals;
  if (stored && Object.keys(stored).length) {
    return Object.entries(stored as Record<string, { v: unknown; at: string }>)
      .map(([name, s]) => ({ name, value: s.v, at: s.at }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }
  const rows = await queryRows<{ name: string; value: unknown; received_at: Date | string }>(
    db,
    sql`select distinct on (name) name, value, received_at from (
          select name, value, received_at, id from signals where device_id = ${deviceId} and org_id = ${orgId}
          order by received_at desc limit 1000) recent
        order by name, received_at desc, id desc`,
  );
  return rows.map((r) => ({ name: r.name, value: r.value, at: new Date(r.received_at).toISOString() }));
}

export type SignalRow = { id: number; name: string; value: unknown; received_at: Date | string; at_text: string };

/** One batch of the device's signal rows in [from, to) after the keyset (received_at, id), oldest first. */
export async function signalRowsBatch(
  db: Db,
  orgId: number,
  deviceId: number,
  name: string | undefined,
  from: Date,
  to: Date,
  after: { at: string; id: number } | null,
  limit: number,
): Promise<SignalRow[]> {
  return queryRows<SignalRow>(
    db,
    sql`select id, name, value, received_at, received_at::text as at_text from signals
        where device_id = ${deviceId} and org_id = ${orgId}
          ${name ? sql`and name = ${name}` : sql``}
          and received_at >= ${from.toISOString()}::timestamptz and received_at < ${to.toISOString()}::timestamptz
          ${after ? sql`and (received_at, id) > (${after.at}::timestamptz, ${after.id}::bigint)` : sql``}
        order by received_at, id
        limit ${limit}`,
  );
}
