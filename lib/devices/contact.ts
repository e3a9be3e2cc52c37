import "server-only";
// Over 350 lines on purpose: one status report is ONE statement (compare-and-set of the device, signals, events,
// outbox rows, desired-state acknowledgement, last address), and this file builds that statement and its retry rules;
// split, the parts of one SQL statement would live apart. How it works: docs/architecture.md ("Engine internals").
import { sql, type SQL } from "drizzle-orm";
import { preparedRows, queryRows, type Db } from "@/db/client";
import type { DeviceStatus } from "@/db/schema/devices";
import { countRevokedUseCte } from "./revoked-token-uses";
import { emitEvents, eventsCte, newEvents, queuedSql, toQueued, type EventInput } from "@/lib/delivery/emit";
import type { ClaimedRow } from "@/lib/delivery/claim";
import { UserError } from "@/lib/errors";
import { applyAck, isBehind, NEVER_WRITTEN_MESSAGE, type Ack, type ReportedStatus } from "./desired-state";
import { applyReport, type Report } from "./state-machine";

export type ContactInput = {
  udid: string;
  /** SHA-256 hex of the presented device token. */
  tokenHash: string;
  report: Report;
  /** Telemetry to store with this contact (signal name → JSON value); one device.telemetry event when present. */
  signals?: Record<string, unknown>;
  /** The device's acknowledgement of a desired version (`reported` in the status body). */
  ack?: Ack;
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
  /** The desired state, when the device is behind it (lib/devices/desired-state.ts); null otherwise. */
  desired: DesiredAnswer | null;
};

/** `desired` in a status/signals answer. */
export type DesiredAnswer = { version: number; config: Record<string, unknown>; firmwareVersion: string | null };

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
  desired_version: number;
  desired_firmware: string | null;
  reported_version: number;
  reported_status: ReportedStatus | null;
  reported_error: string | null;
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
 * The desired state rides along at no extra cost: the lookup (and the remembered row) carry the desired and reported
 * versions, the compare-and-set checks them too (a portal write in between makes a remembered row stale), and the
 * statement returns the desired config only when the device is behind — the common case reads nothing more.
 * Returns null when the token does not belong to a device with this udid (or is revoked). Throws a UserError
 * (400) when the device acknowledges a version never written to it; nothing is recorded then.
 */
export async function recordDeviceContact(db: Db, input: ContactInput): Promise<ContactResult | null> {
  const known = knownDevices.get(knownKey(input));
  if (known) {
    const result = await applyContact(db, input, known, false);
    // (a remembered row never refuses an ack: it answers "conflict" and the lookup below decides)
    if (result !== "conflict" && result !== "never_written") return result;
  }
  for (let attempt = 1; attempt < CONTACT_ATTEMPTS; attempt++) {
    const result = await applyContact(db, input, null, false);
    if (result === "never_written") throw neverWritten();
    if (result !== "conflict") return result;
  }
  const locked = await db.transaction((tx) => applyContact(tx, input, null, true));
  if (locked === "conflict") throw new Error("device contact conflicted while holding the row lock");
  if (locked === "never_written") throw neverWritten();
  return locked;
}

const neverWritten = () => new UserError(NEVER_WRITTEN_MESSAGE, { reported: [NEVER_WRITTEN_MESSAGE] }, "invalid");

/** Applies the contact to `known` (a remembered row) or to the row a lookup finds (locked with `lock`). */
async function applyContact(
  db: Db,
  input: ContactInput,
  known: DeviceRow | null,
  lock: boolean,
): Promise<ContactResult | null | "conflict" | "never_written"> {
  const now = input.now ?? new Date();
  const nowIso = now.toISOString();
  const key = knownKey(input);
  const device =
    known ??
    (
      await preparedRows<DeviceRow>(
        db,
        sql`select d.id, d.org_id, d.udid, d.name, d.tags, d.status, d.firmware_version, d.registered_at, t.id as token_id,
              d.desired_version, d.desired_firmware, d.reported_version, d.reported_status, d.reported_error
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
      targetFirmware: device.desired_firmware,
    },
    input.report,
  );
  const desiredState = {
    desiredVersion: Number(device.desired_version),
    desiredFirmware: device.desired_firmware,
    reportedVersion: Number(device.reported_version),
    reportedStatus: device.reported_status,
    reportedError: device.reported_error,
  };
  const ack = input.ack ? applyAck(desiredState, input.ack) : null;
  if (ack && !ack.ok) {
    // a remembered row may predate the write the device acknowledges: look again before refusing
    if (known) return "conflict";
    return "never_written";
  }
  const reported = ack?.ok && ack.changed ? ack : desiredState;
  const ackChanged = Boolean(ack?.ok && ack.changed);
  // applied at the desired version: the device now holds that config (the portal diffs against it); applied at an
  // older one: which config it holds is not known here
  const reportedConfig = !ackChanged || reported.reportedStatus !== "applied" ? "keep" : reported.reportedVersion === desiredState.desiredVersion ? "desired" : "unknown";
  const behind = isBehind({ ...desiredState, ...pickReported(reported) }, transition.firmwareVersion);
  const snapshot = { id: device.id, udid: device.udid, name: device.name, tags: device.tags ?? [] };
  const ip = input.ip ? input.ip.slice(0, 64) : null;
  const inputs: EventInput[] = transition.events.map((e) => ({
    type: e.type,
    device: snapshot,
    data: e.type === "device.status.online" ? { ...e.data, ip } : e.data,
  }));
  if (ack?.ok) for (const e of ack.events) inputs.push({ type: e.type, device: snapshot, data: e.data });
  const hasSignals = input.signals !== undefined && Object.keys(input.signals).length > 0;
  if (hasSignals) inputs.push({ type: "device.telemetry", device: snapshot, data: { signals: input.signals } });
  const emitted = newEvents(inputs, now);
  const applied = sql`exists (select 1 from updated)`;

  const [row] = await preparedRows<{ applied: boolean; queued: unknown; desired_config: unknown }>(
    db,
    sql`
      with updated as (
        update devices set
          status = ${transition.status},
          firmware_version = ${transition.firmwareVersion},
          last_seen_at = ${nowIso}::timestamptz,
          registered_at = coalesce(registered_at, ${nowIso}::timestamptz),
          presence_deadline = ${nowIso}::timestamptz + make_interval(secs => offline_after_seconds),
          reported_version = ${reported.reportedVersion}::int,
          reported_status = ${reported.reportedStatus}::text,
          reported_error = ${reported.reportedError}::text,
          reported_at = case when ${ackChanged}::boolean then ${nowIso}::timestamptz else reported_at end,
          reported_config = case ${reportedConfig}::text when 'desired' then desired_config when 'unknown' then null else reported_config end,
          last_contact_ip = coalesce(${ip}::text, last_contact_ip)
          ${hasSignals ? sql`, last_signals = coalesce(last_signals, '{}'::jsonb) || ${lastSignalsJson(input.signals!, nowIso)}::jsonb` : sql``}
        where id = ${device.id}
          and udid = ${device.udid}
          and name = ${device.name}
          and tags = ${sql.param(device.tags ?? [])}::text[]
          and status = ${device.status}
          and firmware_version is not distinct from ${device.firmware_version}::text
          and (registered_at is null) = ${device.registered_at === null}::boolean
          and desired_version = ${desiredState.desiredVersion}::int
          and desired_firmware is not distinct from ${device.desired_firmware}::text
          and reported_version = ${desiredState.reportedVersion}::int
          and reported_status is not distinct from ${device.reported_status}::text
          and reported_error is not distinct from ${device.reported_error}::text
          and exists (
            select 1 from device_tokens
            where id = ${device.token_id} and device_id = ${device.id} and token_hash = ${input.tokenHash}
              and revoked_at is null)
        returning id, case when ${behind}::boolean then coalesce(desired_config, '{}'::jsonb) end as desired_config),
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
      select ${applied} as applied, (select desired_config from updated) as desired_config,
        ${inputs.length ? queuedSql : sql`'[]'::json as queued`}`,
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
    ...pickReportedRow(reported),
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
    desired: behind
      ? {
          version: desiredState.desiredVersion,
          config: (typeof row.desired_config === "string" ? JSON.parse(row.desired_config) : (row.desired_config ?? {})) as Record<string, unknown>,
          firmwareVersion: device.desired_firmware,
        }
      : null,
  };
}

type ReportedFields = { reportedVersion: number; reportedStatus: ReportedStatus | null; reportedError: string | null };

const pickReported = (r: ReportedFields): ReportedFields => ({
  reportedVersion: r.reportedVersion,
  reportedStatus: r.reportedStatus,
  reportedError: r.reportedError,
});

const pickReportedRow = (r: ReportedFields) => ({
  reported_version: r.reportedVersion,
  reported_status: r.reportedStatus,
  reported_error: r.reportedError,
});

/**
 * Records `device.authentication.failed` for the one device the failed request can be tied to, and for no other
 * (never a device of another org that happens to have the same udid): the device of the token whose public
 * reference the request carried (`spd_<ref>_<secret>` with a wrong secret), or of a known token presented again
 * (revoked: matched by hash), and only when that device has the udid of the URL. A missing, malformed or unknown
 * token ties the request to nothing, so nothing is recorded. At most once per device per minute: the throttle is
 * the conditional UPDATE of auth_failure_event_at, so concurrent failures record one event. Every use of a revoked
 * token is also counted per device (revoked_token_uses, for the operational alert). Returns the number of
 * events recorded and the deliveries they queued.
 */
export async function recordAuthenticationFailure(
  db: Db,
  udid: string,
  credential: { ref: string | null; tokenHash: string | null },
  details: { ip: string | null },
  now: Date = new Date(),
): Promise<{ recorded: number; deliveries: number; outboxIds: number[] }> {
  const nowIso = now.toISOString();
  const matches: SQL[] = [];
  if (credential.ref) matches.push(sql`t.ref = ${credential.ref}`);
  if (credential.tokenHash) matches.push(sql`t.token_hash = ${credential.tokenHash}`);
  if (matches.length === 0) return { recorded: 0, deliveries: 0, outboxIds: [] };
  const hash = credential.tokenHash ?? "";
  return db.transaction(async (tx) => {
    const rows = await queryRows<{ id: number; org_id: number; udid: string; name: string; tags: string[]; reason: string }>(
      tx,
      sql`with tied as (
            select t.device_id, t.org_id, case when t.token_hash = ${hash} then 'revoked_token' else 'invalid_token' end as reason
            from device_tokens t
            join devices d on d.id = t.device_id and d.org_id = t.org_id
            where (${sql.join(matches, sql` or `)}) and d.udid = ${udid}
            limit 1),
          ${countRevokedUseCte(now, details.ip)}
          update devices d set auth_failure_event_at = ${nowIso}::timestamptz
          from tied
          where d.id = tied.device_id
            and (d.auth_failure_event_at is null or d.auth_failure_event_at <= ${nowIso}::timestamptz - interval '60 seconds')
          returning d.id, d.org_id, d.udid, d.name, d.tags, tied.reason`,
    );
    const outboxIds: number[] = [];
    for (const row of rows) {
      const device = { id: row.id, udid: row.udid, name: row.name, tags: row.tags ?? [] };
      const emitted = await emitEvents(
        tx,
        row.org_id,
        [{ type: "device.authentication.failed", device, data: { reason: row.reason, ip: details.ip } }],
        now,
      );
      outboxIds.push(...emitted.outboxIds);
    }
    return { recorded: rows.length, deliveries: outboxIds.length, outboxIds };
  });
}
