import "server-only";
import { sql } from "drizzle-orm";
import { preparedRows, queryRows, type Db } from "@/db/client";
import type { DeviceStatus } from "@/db/schema/devices";
import { emitEvents, eventsCte, newEvents, queuedSql, toQueued, type EventInput } from "@/lib/delivery/emit";
import type { ClaimedRow } from "@/lib/delivery/claim";
import { applyReport, type Report } from "./state-machine";

export type ContactInput = {
  udid: string;
  /** SHA-256 hex of the presented device token. */
  tokenHash: string;
  report: Report;
  /** Telemetry to store with this contact (signal name → JSON value); one device.telemetry event when present. */
  signals?: Record<string, unknown>;
  /** The client address the contact came from: stored as the device's last_contact_ip, and device.status.online carries it as data.ip. */
  ip?: string | null;
  now?: Date;
  /**
   * Queue the deliveries already leased until then to this process's dispatcher (lib/delivery/kick.ts), which
   * sends them without claiming them first; they come back as `leased`.
   */
  leaseUntil?: Date | null;
};

export type ContactResult = {
  udid: string;
  status: DeviceStatus;
  lastSeenAt: Date;
  changed: boolean;
  /** Ids of the events this contact emitted, in order. */
  events: string[];
  /** Outbox rows queued (0 when no webhook subscribes). */
  deliveries: number;
  /** Their ids (the in-process dispatcher sends them at once). */
  outboxIds: number[];
  /** With `leaseUntil`: the queued rows as the dispatcher's claim would return them (empty otherwise). */
  leased: ClaimedRow[];
};

type DeviceRow = {
  id: number;
  org_id: number;
  udid: string;
  name: string;
  tags: string[];
  status: DeviceStatus;
  firmware_version: string | null;
  registered_at: Date | string | null;
  token_id: number;
};

/** The contact's signals as last-known values ({ name: { v, at } }), merged into devices.last_signals. */
function lastSignalsJson(signals: Record<string, unknown>, at: string): string {
  const out: Record<string, { v: unknown; at: string }> = {};
  for (const [name, v] of Object.entries(signals)) out[name] = { v, at };
  return JSON.stringify(out);
}

/** Attempts at a contact in all after a lookup: compare-and-set ones, then a last one that locks the row. */
const CONTACT_ATTEMPTS = 3;

/** Devices this process served, by udid and token hash, as their row stood after the last contact. */
const KNOWN_DEVICES_MAX = 20_000;
const g = globalThis as unknown as { __signalpostKnownDevices?: Map<string, DeviceRow> };
const knownDevices = (g.__signalpostKnownDevices ??= new Map());

/** The remembered-device key of a contact: the udid and the token hash presented with it. */
const knownKey = (input: ContactInput) => `${input.udid}\u0000${input.tokenHash}`;

function remember(key: string, row: DeviceRow): void {
  knownDevices.delete(key);
  knownDevices.set(key, row);
  if (knownDevices.size > KNOWN_DEVICES_MAX) knownDevices.delete(knownDevices.keys().next().value!);
}

/**
 * Records one contact from a device: authenticates the token against the udid and applies the report.
 * Two round trips and no explicit transaction: a lookup (token hash → device, both indexed), then ONE statement
 * that updates the device only if it still holds what the lookup read (status, firmware, registered or not, token
 * not revoked: a compare-and-set), and in the same statement stores the signals, the token's last use and the
 * events with their outbox rows, all gated on that update. A statement is atomic, so the change, its events and
 * their deliveries commit together or not at all. When a concurrent report of the same device changed the row in
 * between, nothing is written and the contact is applied again on the new state; the last attempt locks the row
 * (FOR UPDATE in a transaction), so reports of one device always apply, in order.
 *
 * One round trip when this process has served the device before: the lookup's result is remembered (per udid and
 * token hash) with the state the contact left, and the statement is tried on that at once. The compare-and-set
 * checks everything the contact relies on (udid, name, tags, status, firmware, registered, the token still
 * belonging to the device and not revoked), so a stale entry — a report through another instance, an edit, a
 * revoked token, a deleted device — writes nothing and falls back to the lookup.
 * Returns null when the token does not belong to a device with this udid (or is revoked).
 */
export async function recordDeviceContact(db: Db, input: ContactInput): Promise<ContactResult | null> {
  const known = knownDevices.get(knownKey(input));
  if (known) {
    const result = await applyContact(db, input, known, false);
    if (result !== "conflict") return result;
  }
  for (let attempt = 1; attempt < CONTACT_ATTEMPTS; attempt++) {
    const result = await applyContact(db, input, null, false);
    if (result !== "conflict") return result;
  }
  const locked = await db.transaction((tx) => applyContact(tx, input, null, true));
  if (locked === "conflict") throw new Error("device contact conflicted while holding the row lock");
  return locked;
}

/** Applies the contact to `known` (a remembered row) or to the row a lookup finds (locked with `lock`). */
async function applyContact(
  db: Db,
  input: ContactInput,
  known: DeviceRow | null,
  lock: boolean,
): Promise<ContactResult | null | "conflict"> {
  const now = input.now ?? new Date();
  const nowIso = now.toISOString();
  const key = knownKey(input);
  const device =
    known ??
    (
      await preparedRows<DeviceRow>(
        db,
        sql`select d.id, d.org_id, d.udid, d.name, d.tags, d.status, d.firmware_version, d.registered_at, t.id as token_id
            from device_tokens t
            join devices d on d.id = t.device_id and d.org_id = t.org_id
            where t.token_hash = ${input.tokenHash} and d.udid = ${input.udid} and t.revoked_at is null
            ${lock ? sql`for update of d` : sql``}`,
      )
    )[0];
  if (!device) {
    knownDevices.delete(key);
    return null;
  }

  const transition = applyReport(
    {
      status: device.status,
      firmwareVersion: device.firmware_version,
      registeredAt: device.registered_at ? new Date(device.registered_at) : null,
    },
    input.report,
  );
  const snapshot = { id: device.id, udid: device.udid, name: device.name, tags: device.tags ?? [] };
  const ip = input.ip ? input.ip.slice(0, 64) : null;
  const inputs: EventInput[] = transition.events.map((e) => ({
    type: e.type,
    device: snapshot,
    data: e.type === "device.status.online" ? { ...e.data, ip } : e.data,
  }));
  const hasSignals = input.signals !== undefined && Object.keys(input.signals).length > 0;
  if (hasSignals) inputs.push({ type: "device.telemetry", device: snapshot, data: { signals: input.signals } });
  const emitted = newEvents(inputs, now);
  const applied = sql`exists (select 1 from updated)`;

  const [row] = await preparedRows<{ applied: boolean; queued: unknown }>(
    db,
    sql`
      with updated as (
        update devices set
          status = ${transition.status},
          firmware_version = ${transition.firmwareVersion},
          last_seen_at = ${nowIso}::timestamptz,
          registered_at = coalesce(registered_at, ${nowIso}::timestamptz),
          presence_deadline = ${nowIso}::timestamptz + make_interval(secs => offline_after_seconds),
          last_contact_ip = coalesce(${ip}::text, last_contact_ip)
          ${hasSignals ? sql`, last_signals = coalesce(last_signals, '{}'::jsonb) || ${lastSignalsJson(input.signals!, nowIso)}::jsonb` : sql``}
        where id = ${device.id}
          and udid = ${device.udid}
          and name = ${device.name}
          and tags = ${sql.param(device.tags ?? [])}::text[]
          and status = ${device.status}
          and firmware_version is not distinct from ${device.firmware_version}::text
          and (registered_at is null) = ${device.registered_at === null}::boolean
          and exists (
            select 1 from device_tokens
            where id = ${device.token_id} and device_id = ${device.id} and token_hash = ${input.tokenHash}
              and revoked_at is null)
        returning id),
      -- the token's last use, at most once a minute, to spare writes
      token_used as (
        update device_tokens set last_used_at = ${nowIso}::timestamptz
        where id = ${device.token_id} and ${applied}
          and (last_used_at is null or last_used_at <= ${nowIso}::timestamptz - interval '60 seconds')
        returning 1)
      ${
        hasSignals
          ? sql`, stored_signals as (
              insert into signals (org_id, device_id, name, value, received_at)
              select ${device.org_id}, ${device.id}, s.key, s.value, ${nowIso}::timestamptz
              from jsonb_each(${JSON.stringify(input.signals)}::jsonb) as s
              where ${applied}
              returning 1)`
          : sql``
      }
      ${inputs.length ? sql`, ${eventsCte(device.org_id, inputs, emitted, now, applied, input.leaseUntil)}` : sql``}
      select ${applied} as applied, ${inputs.length ? queuedSql : sql`'[]'::json as queued`}`,
  );
  if (!row?.applied) {
    knownDevices.delete(key);
    return "conflict";
  }
  remember(key, {
    ...device,
    status: transition.status,
    firmware_version: transition.firmwareVersion,
    registered_at: device.registered_at ?? now,
  });
  const queued = toQueued(row.queued);
  const outboxIds = queued.map((q) => q.id);
  const types = new Map(emitted.map((e) => [e.id, e.type]));
  const leased: ClaimedRow[] = input.leaseUntil
    ? queued.map((q) => ({
        id: q.id,
        orgId: device.org_id,
        eventId: q.eventId,
        webhookId: q.webhookId,
        attempts: 1,
        webhookVersion: q.webhookVersion,
        event: {
          id: q.eventId,
          orgId: device.org_id,
          type: types.get(q.eventId)!,
          deviceUdid: device.udid,
          deviceName: device.name,
          payload: q.payload,
          createdAt: now,
        },
      }))
    : [];
  return {
    udid: device.udid,
    status: transition.status,
    lastSeenAt: now,
    changed: transition.changed,
    events: emitted.map((e) => e.id),
    deliveries: outboxIds.length,
    outboxIds,
    leased,
  };
}

/**
 * Records `device.authentication.failed` for each device with this udid (normally one; a udid is unique per org),
 * at most once per device per minute: the throttle is the conditional UPDATE of auth_failure_event_at, so
 * concurrent failures record one event. Returns the number of events recorded and the deliveries they queued.
 */
export async function recordAuthenticationFailure(
  db: Db,
  udid: string,
  details: { reason: string; ip: string | null },
  now: Date = new Date(),
): Promise<{ recorded: number; deliveries: number; outboxIds: number[] }> {
  const nowIso = now.toISOString();
  return db.transaction(async (tx) => {
    const rows = await queryRows<{ id: number; org_id: number; udid: string; name: string; tags: string[] }>(
      tx,
      sql`update devices set auth_failure_event_at = ${nowIso}::timestamptz
          where id in (
            select id from devices
            where udid = ${udid}
              and (auth_failure_event_at is null or auth_failure_event_at <= ${nowIso}::timestamptz - interval '60 seconds')
            limit 20
            for update skip locked)
          returning id, org_id, udid, name, tags`,
    );
    const outboxIds: number[] = [];
    for (const row of rows) {
      const device = { id: row.id, udid: row.udid, name: row.name, tags: row.tags ?? [] };
      const emitted = await emitEvents(
        tx,
        row.org_id,
        [{ type: "device.authentication.failed", device, data: { reason: details.reason, ip: details.ip } }],
        now,
      );
      outboxIds.push(...emitted.outboxIds);
    }
    return { recorded: rows.length, deliveries: outboxIds.length, outboxIds };
  });
}
