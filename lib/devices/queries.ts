import "server-only";
import { and, desc, eq, isNull, sql, type SQL } from "drizzle-orm";
import { queryRows, type Db } from "@/db/client";
import { devices, deviceTokens, events, signals, type DeviceStatus } from "@/db/schema";
import { CONFIG_FAILED_SQL, CONFIG_PENDING_SQL } from "@/db/schema/devices";
import type { DeviceListQuery } from "@/lib/validation/devices";

/** A device as the portal shows it (JSON-safe). */
export type DeviceView = {
  id: number;
  udid: string;
  name: string;
  tags: string[];
  status: DeviceStatus;
  lastSeenAt: string | null;
  registeredAt: string | null;
  firmwareVersion: string | null;
  offlineAfterSeconds: number;
  createdAt: string;
  /** Desired configuration: "pending" (written, not applied yet), "failed" (its ack failed), null otherwise. */
  configState: "pending" | "failed" | null;
  /** The client address of the last contact (null before the first one). */
  lastContactIp: string | null;
  /** Last-known signal values (name → value), for the list's optional signal columns. */
  lastSignals: Record<string, unknown>;
};

export type DeviceListPage = {
  devices: DeviceView[];
  /** Cursor of the next page, or null on the last page. */
  nextCursor: string | null;
  /** Matching devices, counted up to COUNT_CAP (totalCapped says whether there are more). */
  total: number;
  totalCapped: boolean;
};

const COUNT_CAP = 10_000;
const CONFIG_STATE_SQL = sql`case when ${CONFIG_FAILED_SQL} then 'failed' when ${CONFIG_PENDING_SQL} then 'pending' end`;
const DEFAULT_PAGE_SIZE = 50;

const iso = (d: Date | string | null): string | null => (d ? new Date(d).toISOString() : null);

type RawDevice = {
  id: number;
  udid: string;
  name: string;
  tags: string[];
  status: DeviceStatus;
  last_seen_at: Date | string | null;
  registered_at: Date | string | null;
  firmware_version: string | null;
  offline_after_seconds: number;
  created_at: Date | string;
  config_state: "pending" | "failed" | null;
  last_contact_ip: string | null;
  last_signals: Record<string, { v: unknown }> | string | null;
};

function toView(r: RawDevice): DeviceView {
  return {
    id: r.id,
    udid: r.udid,
    name: r.name,
    tags: r.tags ?? [],
    status: r.status,
    lastSeenAt: iso(r.last_seen_at),
    registeredAt: iso(r.registered_at),
    firmwareVersion: r.firmware_version,
    offlineAfterSeconds: r.offline_after_seconds,
    createdAt: iso(r.created_at)!,
    configState: r.config_state ?? null,
    lastContactIp: r.last_contact_ip ?? null,
    lastSignals: lastValues(r.last_signals),
  };
}

function lastValues(raw: RawDevice["last_signals"]): Record<string, unknown> {
  const stored = (typeof raw === "string" ? JSON.parse(raw) : raw) as Record<string, { v: unknown }> | null;
  const out: Record<string, unknown> = {};
  for (const [name, s] of Object.entries(stored ?? {})) out[name] = s?.v;
  return out;
}

/** Keyset cursor over (name, id): base64url of JSON [name, id]. */
export function encodeCursor(name: string, id: number): string {
  return Buffer.from(JSON.stringify([name, id])).toString("base64url");
}

function decodeCursor(cursor: string | undefined): [string, number] | null {
  if (!cursor) return null;
  try {
    const value = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown;
    if (Array.isArray(value) && typeof value[0] === "string" && Number.isInteger(value[1])) return [value[0], value[1]];
  } catch {
    // an unreadable cursor starts from the first page
  }
  return null;
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * One page of an org's devices ordered by name, filtered by search (name or UDID substring), status and tag.
 * Keyset pagination on (name, id) walks devices_org_name_idx, so page 2,000 costs what page 1 costs; the count is
 * capped so it stays cheap at 100,000 devices.
 */
export async function listDevices(db: Db, orgId: number, query: DeviceListQuery): Promise<DeviceListPage> {
  const limit = query.limit ?? DEFAULT_PAGE_SIZE;
  const q = deviceListQueries(orgId, query);
  const rows = await queryRows<RawDevice>(db, q.page);
  const [{ n }] = await queryRows<{ n: number }>(db, q.count);
  const page = rows.slice(0, limit).map(toView);
  const last = page[page.length - 1];
  return {
    devices: page,
    nextCursor: rows.length > limit && last ? encodeCursor(last.name, last.id) : null,
    total: Math.min(Number(n), COUNT_CAP),
    totalCapped: Number(n) > COUNT_CAP,
  };
}

/**
 * The two statements of listDevices (the page, one row more than asked, and the capped count), exactly as it runs
 * them: exported so the plan test EXPLAINs the real queries.
 */
export function deviceListQueries(orgId: number, query: DeviceListQuery): { page: SQL; count: SQL } {
  const limit = query.limit ?? DEFAULT_PAGE_SIZE;
  const filters: SQL[] = [sql`org_id = ${orgId}`];
  if (query.q) {
    const pattern = `%${escapeLike(query.q)}%`;
    filters.push(sql`(name ilike ${pattern} or udid ilike ${pattern})`);
  }
  // "offline" means offline after a contact; never-connected devices have their own filter
  if (query.status === "never_connected") filters.push(sql`status = 'offline' and last_seen_at is null`);
  else if (query.status === "offline") filters.push(sql`status = 'offline' and last_seen_at is not null`);
  else if (query.status) filters.push(sql`status = ${query.status}`);
  if (query.tag) filters.push(sql`tags @> array[${query.tag}]::text[]`);
  if (query.config === "pending") filters.push(CONFIG_PENDING_SQL);
  if (query.config === "failed") filters.push(CONFIG_FAILED_SQL);
  const where = sql.join(filters, sql` and `);
  const cursor = decodeCursor(query.after);
  const pageWhere = cursor ? sql`${where} and (name, id) > (${cursor[0]}, ${cursor[1]})` : where;
  return {
    page: sql`select id, udid, name, tags, status, last_seen_at, registered_at, firmware_version, offline_after_seconds, created_at,
          ${CONFIG_STATE_SQL} as config_state, last_contact_ip, last_signals
        from devices where ${pageWhere}
        order by name, id
        limit ${limit + 1}`,
    count: sql`select count(*)::int as n from (select 1 from devices where ${where} limit ${COUNT_CAP + 1}) capped`,
  };
}

/**
 * One page of an org's devices in creation order (id), after `startingAfter`: the public API's list (cursor = the last
 * id seen, stable while devices are added). Filters as listDevices, plus an exact UDID.
 */
export async function listDevicesById(
  db: Db,
  orgId: number,
  query: { limit: number; startingAfter?: number; status?: DeviceStatus; tag?: string; q?: string; udid?: string },
): Promise<{ devices: DeviceView[]; hasMore: boolean }> {
  const filters: SQL[] = [sql`org_id = ${orgId}`];
  if (query.q) {
    const pattern = `%${escapeLike(query.q)}%`;
    filters.push(sql`(name ilike ${pattern} or udid ilike ${pattern})`);
  }
  if (query.status) filters.push(sql`status = ${query.status}`);
  if (query.tag) filters.push(sql`tags @> array[${query.tag}]::text[]`);
  if (query.udid) filters.push(sql`udid = ${query.udid}`);
  if (query.startingAfter) filters.push(sql`id > ${query.startingAfter}`);
  const rows = await queryRows<RawDevice>(
    db,
    sql`select id, udid, name, tags, status, last_seen_at, registered_at, firmware_version, offline_after_seconds, created_at,
          ${CONFIG_STATE_SQL} as config_state, last_contact_ip, last_signals
        from devices where ${sql.join(filters, sql` and `)}
        order by id
        limit ${query.limit + 1}`,
  );
  return { devices: rows.slice(0, query.limit).map(toView), hasMore: rows.length > query.limit };
}

export type StatusCounts = Record<DeviceStatus | "never_connected", number>;

/**
 * Devices per status in the org, never-connected devices apart from offline ones (index-only scans of
 * devices_org_status_idx and the partial devices_org_never_connected_idx).
 */
export async function countDevicesByStatus(db: Db, orgId: number): Promise<StatusCounts> {
  const rows = await queryRows<{ status: DeviceStatus; n: number }>(
    db,
    sql`select status, count(*)::int as n from devices where org_id = ${orgId} group by status
        union all
        select 'never_connected', count(*)::int from devices
        where org_id = ${orgId} and status = 'offline' and last_seen_at is null`,
  );
  const out: StatusCounts = { online: 0, offline: 0, utilizing: 0, unplugged: 0, never_connected: 0 };
  for (const r of rows) out[r.status] = Number(r.n);
  out.offline -= out.never_connected;
  return out;
}

/** The org's most used tags (for the tag filter). */
export async function listDeviceTags(db: Db, orgId: number, limit = 100): Promise<string[]> {
  const rows = await queryRows<{ tag: string }>(
    db,
    sql`select tag from (select unnest(tags) as tag from devices where org_id = ${orgId}) t
        group by tag order by count(*) desc, tag limit ${limit}`,
  );
  return rows.map((r) => r.tag);
}

/** One device of the org, or null. */
export async function getDevice(db: Db, orgId: number, deviceId: number): Promise<DeviceView | null> {
  const [row] = await queryRows<RawDevice>(
    db,
    sql`select id, udid, name, tags, status, last_seen_at, registered_at, firmware_version, offline_after_seconds, created_at,
          ${CONFIG_STATE_SQL} as config_state, last_contact_ip, last_signals
        from devices where org_id = ${orgId} and id = ${deviceId}`,
  );
  return row ? toView(row) : null;
}

/** The device's active token, for display (prefix and last use only). */
export async function getActiveToken(db: Db, orgId: number, deviceId: number) {
  const [row] = await db
    .select({ prefix: deviceTokens.prefix, createdAt: deviceTokens.createdAt, lastUsedAt: deviceTokens.lastUsedAt })
    .from(deviceTokens)
    .where(and(eq(deviceTokens.orgId, orgId), eq(deviceTokens.deviceId, deviceId), isNull(deviceTokens.revokedAt)))
    .orderBy(desc(deviceTokens.createdAt))
    .limit(1);
  return row
    ? { prefix: row.prefix, createdAt: row.createdAt.toISOString(), lastUsedAt: row.lastUsedAt?.toISOString() ?? null }
    : null;
}

export type DeviceEventView = { id: string; type: string; data: Record<string, unknown>; createdAt: string; deliveryCount: number };

/** The device's most recent events, newest first, each with how many webhook deliveries it made. */
export async function recentDeviceEvents(db: Db, orgId: number, deviceId: number, limit = 20): Promise<DeviceEventView[]> {
  const rows = await db
    .select({
      id: events.id,
      type: events.type,
      payload: events.payload,
      createdAt: events.createdAt,
      deliveryCount: sql<number>`(select count(*)::int from outbox o where o.event_id = "events"."id" and o.org_id = ${orgId})`,
    })
    .from(events)
    .where(and(eq(events.deviceId, deviceId), eq(events.orgId, orgId)))
    .orderBy(desc(events.createdAt), desc(events.id))
    .limit(limit);
  return rows.map((r) => ({
    id: r.id,
    type: r.type,
    data: r.payload,
    createdAt: r.createdAt.toISOString(),
    deliveryCount: Number(r.deliveryCount ?? 0),
  }));
}

export type SignalView = { id: number; name: string; value: unknown; receivedAt: string };

/** The device's most recent signals, newest first. */
export async function recentDeviceSignals(db: Db, orgId: number, deviceId: number, limit = 20): Promise<SignalView[]> {
  const rows = await db
    .select({ id: signals.id, name: signals.name, value: signals.value, receivedAt: signals.receivedAt })
    .from(signals)
    .where(and(eq(signals.deviceId, deviceId), eq(signals.orgId, orgId)))
    .orderBy(desc(signals.receivedAt), desc(signals.id))
    .limit(limit);
  return rows.map((r) => ({ id: r.id, name: r.name, value: r.value, receivedAt: r.receivedAt.toISOString() }));
}

/** Looks a device up by UDID within the org (JSON API for scripts). */
export async function findDeviceIdByUdid(db: Db, orgId: number, udid: string): Promise<number | null> {
  const [row] = await db
    .select({ id: devices.id })
    .from(devices)
    .where(and(eq(devices.orgId, orgId), eq(devices.udid, udid)))
    .limit(1);
  return row?.id ?? null;
}
