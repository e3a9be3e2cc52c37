import "server-only";
import { sql } from "drizzle-orm";
import { queryRows, type Db } from "@/db/client";
import type { DeviceStatus } from "@/db/schema/devices";
import { emitEvents, type EventInput } from "@/lib/events/emit";
import { applyReport, type Report } from "./state-machine";

export type ContactInput = {
  udid: string;
  /** SHA-256 hex of the presented device token. */
  tokenHash: string;
  report: Report;
  /** Telemetry to store with this contact (signal name → JSON value); one device.telemetry event when present. */
  signals?: Record<string, unknown>;
  now?: Date;
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
};

type LockedDevice = {
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

/**
 * Records one contact from a device: authenticates the token against the udid and applies the report, in one
 * short transaction. The device row is locked by the lookup itself (token hash → device, both indexed), so
 * concurrent reports of one device apply in order; the device update, its signals, its events and their outbox
 * rows commit together. Returns null when the token does not belong to a device with this udid (or is revoked).
 */
export async function recordDeviceContact(db: Db, input: ContactInput): Promise<ContactResult | null> {
  const now = input.now ?? new Date();
  const nowIso = now.toISOString();
  return db.transaction(async (tx) => {
    const [device] = await queryRows<LockedDevice>(
      tx,
      sql`select d.id, d.org_id, d.udid, d.name, d.tags, d.status, d.firmware_version, d.registered_at, t.id as token_id
          from device_tokens t
          join devices d on d.id = t.device_id and d.org_id = t.org_id
          where t.token_hash = ${input.tokenHash} and d.udid = ${input.udid} and t.revoked_at is null
          for update of d`,
    );
    if (!device) return null;

    const transition = applyReport(
      {
        status: device.status,
        firmwareVersion: device.firmware_version,
        registeredAt: device.registered_at ? new Date(device.registered_at) : null,
      },
      input.report,
    );
    const signalEntries = input.signals ? Object.entries(input.signals) : [];
    const signalsInsert = signalEntries.length
      ? sql`, stored_signals as (
              insert into signals (org_id, device_id, name, value, received_at)
              select ${device.org_id}, ${device.id}, s.key, s.value, ${nowIso}::timestamptz
              from jsonb_each(${JSON.stringify(input.signals)}::jsonb) as s
              returning 1)`
      : sql``;
    // One statement: the device row, the token's last use (at most once a minute, to spare writes) and the signals.
    await tx.execute(sql`
      with updated as (
        update devices set
          status = ${transition.status},
          firmware_version = ${transition.firmwareVersion},
          last_seen_at = ${nowIso}::timestamptz,
          registered_at = coalesce(registered_at, ${nowIso}::timestamptz),
          presence_deadline = ${nowIso}::timestamptz + make_interval(secs => offline_after_seconds)
        where id = ${device.id}
        returning id),
      token_used as (
        update device_tokens set last_used_at = ${nowIso}::timestamptz
        where id = ${device.token_id}
          and (last_used_at is null or last_used_at <= ${nowIso}::timestamptz - interval '60 seconds')
        returning 1)
      ${signalsInsert}
      select 1`);

    const snapshot = { id: device.id, udid: device.udid, name: device.name, tags: device.tags ?? [] };
    const inputs: EventInput[] = transition.events.map((e) => ({ type: e.type, device: snapshot, data: e.data }));
    if (signalEntries.length) {
      inputs.push({ type: "device.telemetry", device: snapshot, data: { signals: input.signals } });
    }
    const emitted = await emitEvents(tx, device.org_id, inputs, now);
    return {
      udid: device.udid,
      status: transition.status,
      lastSeenAt: now,
      changed: transition.changed,
      events: emitted.events.map((e) => e.id),
      deliveries: emitted.deliveries,
    };
  });
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
): Promise<{ recorded: number; deliveries: number }> {
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
    let deliveries = 0;
    for (const row of rows) {
      const device = { id: row.id, udid: row.udid, name: row.name, tags: row.tags ?? [] };
      const emitted = await emitEvents(
        tx,
        row.org_id,
        [{ type: "device.authentication.failed", device, data: { reason: details.reason, ip: details.ip } }],
        now,
      );
      deliveries += emitted.deliveries;
    }
    return { recorded: rows.length, deliveries };
  });
}
