import "server-only";
import { and, eq, inArray, sql } from "drizzle-orm";
import { queryRows, type Db } from "@/db/client";
import { hasSqlState } from "@/db/errors";
import { devices } from "@/db/schema";
import { UserError } from "@/lib/errors";
import { recordAudit, recordAudits } from "@/lib/audit";
import { emitEvents } from "@/lib/delivery/emit";
import type { DeviceCreateInput, DeviceUpdateInput } from "@/lib/validation/devices";
import { generateDeviceToken, issueDeviceToken } from "./tokens";
import type { Actor } from "@/lib/actor";

/** Who is acting: the org is the scope of every query, the user is recorded in the audit log. */

type DeviceRow = typeof devices.$inferSelect;
export type WriteResult = { device: DeviceRow; deliveries: number };

const snapshot = (d: DeviceRow) => ({ id: d.id, udid: d.udid, name: d.name, tags: d.tags });

const duplicateUdid = () =>
  new UserError(
    "A device with this UDID already exists in this organization.",
    { udid: ["A device with this UDID already exists in this organization."] },
    "conflict",
  );

/** Registers a device in the portal with its first token; emits device.created and writes the audit entry. */
export async function createDevice(
  db: Db,
  actor: Actor,
  input: DeviceCreateInput,
  now: Date = new Date(),
): Promise<WriteResult & { token: string }> {
  try {
    return await db.transaction(async (tx) => {
      const [existing] = await tx
        .select({ id: devices.id })
        .from(devices)
        .where(and(eq(devices.orgId, actor.orgId), eq(devices.udid, input.udid)))
        .limit(1);
      if (existing) throw duplicateUdid();
      const [device] = await tx
        .insert(devices)
        .values({
          orgId: actor.orgId,
          udid: input.udid,
          name: input.name,
          tags: input.tags,
          offlineAfterSeconds: input.offlineAfterSeconds,
          createdAt: now,
          updatedAt: now,
        })
        .returning();
      const token = await issueDeviceToken(tx, device, now);
      const emitted = await emitEvents(
        tx,
        actor.orgId,
        [
          {
            type: "device.created",
            device: snapshot(device),
            data: { udid: device.udid, name: device.name, tags: device.tags, offlineAfterSeconds: device.offlineAfterSeconds },
          },
        ],
        now,
      );
      await recordAudit(tx, {
        orgId: actor.orgId,
        actorUserId: actor.userId,
        action: "device.created",
        targetType: "device",
        targetId: device.id,
        summary: `Added device ${device.name} (${device.udid})`,
        details: { udid: device.udid, tags: device.tags, offlineAfterSeconds: device.offlineAfterSeconds, tokenPrefix: token.prefix },
      });
      return { device, token: token.token, deliveries: emitted.deliveries };
    });
  } catch (err) {
    // two concurrent creates of one udid: the unique index decides
    if (hasSqlState(err, "23505")) throw duplicateUdid();
    throw err;
  }
}

type RawCreated = {
  id: number;
  org_id: number;
  udid: string;
  name: string;
  tags: string[];
  status: DeviceRow["status"];
  last_seen_at: string | Date | null;
  registered_at: string | Date | null;
  firmware_version: string | null;
  offline_after_seconds: number;
  created_at: string | Date;
  updated_at: string | Date;
};

const dateOrNull = (v: string | Date | null) => (v == null ? null : new Date(v));

function fromRaw(r: RawCreated): DeviceRow {
  return {
    id: Number(r.id),
    orgId: Number(r.org_id),
    udid: r.udid,
    name: r.name,
    tags: r.tags ?? [],
    status: r.status,
    lastSeenAt: dateOrNull(r.last_seen_at),
    registeredAt: dateOrNull(r.registered_at),
    firmwareVersion: r.firmware_version,
    offlineAfterSeconds: Number(r.offline_after_seconds),
    presenceDeadline: null,
    authFailureEventAt: null,
    // a device created by the API has no desired state yet (the columns' defaults)
    desiredConfig: null,
    desiredVersion: 0,
    desiredFirmware: null,
    desiredUpdatedAt: null,
    reportedVersion: 0,
    reportedStatus: null,
    reportedError: null,
    reportedAt: null,
    reportedConfig: null,
    lastContactIp: null,
    lastSignals: null,
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
  };
}

/** Most devices one bulk create takes. */
export const BULK_CREATE_MAX = 1000;

/**
 * Registers many devices at once, all or nothing: a UDID that exists in the org or appears twice in the batch fails
 * the whole batch with an error per row (`fields` keys "devices[i].udid"). Each device gets its token (returned here
 * once, in input order), a device.created event and an audit entry — in a handful of statements, not one per device.
 */
export async function createDevices(
  db: Db,
  actor: Actor,
  inputs: readonly DeviceCreateInput[],
  now: Date = new Date(),
): Promise<{ devices: DeviceRow[]; tokens: string[]; deliveries: number }> {
  if (inputs.length === 0) return { devices: [], tokens: [], deliveries: 0 };
  if (inputs.length > BULK_CREATE_MAX) throw new UserError(`At most ${BULK_CREATE_MAX} devices per request.`, { devices: [`At most ${BULK_CREATE_MAX} devices per request.`] });
  const fieldErrors: Record<string, string[]> = {};
  const firstIndex = new Map<string, number>();
  inputs.forEach((input, i) => {
    const seen = firstIndex.get(input.udid);
    if (seen !== undefined) fieldErrors[`devices[${i}].udid`] = [`UDID ${input.udid} is also in row ${seen}.`];
    else firstIndex.set(input.udid, i);
  });
  const conflict = () => new UserError("Some devices could not be created; nothing was saved.", fieldErrors, "conflict");
  try {
    return await db.transaction(async (tx) => {
      const existing = await tx
        .select({ udid: devices.udid })
        .from(devices)
        .where(and(eq(devices.orgId, actor.orgId), inArray(devices.udid, [...firstIndex.keys()])));
      for (const { udid } of existing) {
        fieldErrors[`devices[${firstIndex.get(udid)}].udid`] = [`A device with UDID ${udid} already exists in this organization.`];
      }
      if (Object.keys(fieldErrors).length > 0) throw conflict();
      // one statement per table with the rows as one JSON parameter: a multi-row VALUES list of 1,000 rows is
      // slow to build and to parse (measured: 1.4 s for devices alone), this is milliseconds
      const created = await queryRows<RawCreated>(
        tx,
        sql`insert into devices (org_id, udid, name, tags, offline_after_seconds, created_at, updated_at)
            select ${actor.orgId}, r->>'udid', r->>'name', array(select jsonb_array_elements_text(r->'tags')),
                   (r->>'offlineAfterSeconds')::int, ${now.toISOString()}::timestamptz, ${now.toISOString()}::timestamptz
            from jsonb_array_elements(${JSON.stringify(inputs.map((i) => ({ udid: i.udid, name: i.name, tags: i.tags, offlineAfterSeconds: i.offlineAfterSeconds })))}::jsonb) as r
            returning id, org_id, udid, name, tags, status, last_seen_at, registered_at, firmware_version, offline_after_seconds, created_at, updated_at`,
      );
      // returning order is not promised: put the rows back in input order
      const byUdid = new Map(created.map((d) => [d.udid, fromRaw(d)]));
      const rows = inputs.map((input) => byUdid.get(input.udid)!);
      const tokens = rows.map(() => generateDeviceToken());
      await tx.execute(
        sql`insert into device_tokens (org_id, device_id, token_hash, prefix, created_at)
            select ${actor.orgId}, d, h, p, ${now.toISOString()}::timestamptz
            from unnest(${sql.param(rows.map((d) => d.id))}::int[], ${sql.param(tokens.map((t) => t.hash))}::text[], ${sql.param(tokens.map((t) => t.prefix))}::text[]) as x(d, h, p)`,
      );
      const emitted = await emitEvents(
        tx,
        actor.orgId,
        rows.map((device) => ({
          type: "device.created" as const,
          device: snapshot(device),
          data: { udid: device.udid, name: device.name, tags: device.tags, offlineAfterSeconds: device.offlineAfterSeconds },
        })),
        now,
      );
      await recordAudits(
        tx,
        rows.map((device, i) => ({
          orgId: actor.orgId,
          actorUserId: actor.userId,
          action: "device.created",
          targetType: "device",
          targetId: device.id,
          summary: `Added device ${device.name} (${device.udid}) in a bulk create of ${rows.length}`,
          details: { udid: device.udid, tags: device.tags, offlineAfterSeconds: device.offlineAfterSeconds, tokenPrefix: tokens[i].prefix, bulk: true },
        })),
      );
      return { devices: rows, tokens: tokens.map((t) => t.token), deliveries: emitted.deliveries };
    });
  } catch (err) {
    // a concurrent create of one of these UDIDs: the unique index decides, and the whole batch is refused
    if (hasSqlState(err, "23505")) {
      throw new UserError("A device with one of these UDIDs was created at the same time; nothing was saved.", { devices: ["Retry: a UDID was taken meanwhile."] }, "conflict");
    }
    throw err;
  }
}

/** Loads a device of the actor's org, or throws a not-found UserError. */
async function loadForUpdate(tx: Db, actor: Actor, deviceId: number): Promise<DeviceRow> {
  const [device] = await tx
    .select()
    .from(devices)
    .where(and(eq(devices.id, deviceId), eq(devices.orgId, actor.orgId)))
    .for("update");
  if (!device) throw new UserError("That device does not exist (it may have been deleted).", undefined, "not_found");
  return device;
}

/** Edits name, tags and offline timeout; emits device.updated with what changed (nothing changed: no event). */
export async function updateDevice(
  db: Db,
  actor: Actor,
  input: DeviceUpdateInput,
  now: Date = new Date(),
): Promise<WriteResult & { changed: boolean }> {
  return db.transaction(async (tx) => {
    const before = await loadForUpdate(tx, actor, input.deviceId);
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    if (before.name !== input.name) changes.name = { from: before.name, to: input.name };
    if (before.tags.join("\u0000") !== input.tags.join("\u0000")) changes.tags = { from: before.tags, to: input.tags };
    if (before.offlineAfterSeconds !== input.offlineAfterSeconds) {
      changes.offlineAfterSeconds = { from: before.offlineAfterSeconds, to: input.offlineAfterSeconds };
    }
    if (Object.keys(changes).length === 0) return { device: before, deliveries: 0, changed: false };
    const [device] = await tx
      .update(devices)
      .set({
        name: input.name,
        tags: input.tags,
        offlineAfterSeconds: input.offlineAfterSeconds,
        // keep the presence deadline in step with the new timeout
        presenceDeadline: sql`${devices.lastSeenAt} + make_interval(secs => ${input.offlineAfterSeconds})`,
        updatedAt: now,
      })
      .where(and(eq(devices.id, before.id), eq(devices.orgId, actor.orgId)))
      .returning();
    const emitted = await emitEvents(tx, actor.orgId, [{ type: "device.updated", device: snapshot(device), data: { changes } }], now);
    await recordAudit(tx, {
      orgId: actor.orgId,
      actorUserId: actor.userId,
      action: "device.updated",
      targetType: "device",
      targetId: device.id,
      summary: `Edited device ${device.name} (${Object.keys(changes).join(", ")})`,
      details: { udid: device.udid, changes },
    });
    return { device, deliveries: emitted.deliveries, changed: true };
  });
}

/** Deletes a device (its tokens and signals go with it; its events stay in the log); emits device.deleted. */
export async function deleteDevice(db: Db, actor: Actor, deviceId: number, now: Date = new Date()): Promise<WriteResult> {
  return db.transaction(async (tx) => {
    const device = await loadForUpdate(tx, actor, deviceId);
    const emitted = await emitEvents(
      tx,
      actor.orgId,
      [{ type: "device.deleted", device: snapshot(device), data: { udid: device.udid, name: device.name } }],
      now,
    );
    await tx.delete(devices).where(and(eq(devices.id, device.id), eq(devices.orgId, actor.orgId)));
    await recordAudit(tx, {
      orgId: actor.orgId,
      actorUserId: actor.userId,
      action: "device.deleted",
      targetType: "device",
      targetId: device.id,
      summary: `Deleted device ${device.name} (${device.udid})`,
      details: { udid: device.udid, name: device.name },
    });
    return { device, deliveries: emitted.deliveries };
  });
}

/** Revokes the device's tokens and issues a new one (shown once); the old token fails from this commit on. */
export async function regenerateDeviceToken(
  db: Db,
  actor: Actor,
  deviceId: number,
  now: Date = new Date(),
): Promise<{ device: DeviceRow; token: string }> {
  return db.transaction(async (tx) => {
    const device = await loadForUpdate(tx, actor, deviceId);
    const token = await issueDeviceToken(tx, device, now);
    await recordAudit(tx, {
      orgId: actor.orgId,
      actorUserId: actor.userId,
      action: "device.token_regenerated",
      targetType: "device",
      targetId: device.id,
      summary: `Regenerated the token of device ${device.name} (${device.udid})`,
      details: { udid: device.udid, tokenPrefix: token.prefix },
    });
    return { device, token: token.token };
  });
}
