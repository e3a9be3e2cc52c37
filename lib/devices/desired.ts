import "server-only";
import { sql, type SQL } from "drizzle-orm";
import { queryRows, type Db } from "@/db/client";
import { UserError } from "@/lib/errors";
import { recordAudit } from "@/lib/audit";
import { eventsJsonCte, newEvents, type EventInput } from "@/lib/delivery/emit";
import type { DesiredBulkInput, DesiredWriteInput } from "@/lib/validation/devices";
import type { Actor } from "@/lib/actor";
import { canonicalJson, diffConfig, type ConfigChange } from "./desired-state";

// Portal writes of desired state (README, "Writing to devices"): one device from its page, or every device with a
// tag at once. Each write locks the rows it changes, bumps their version, emits device.config.written (and
// device.firmware.update_requested when the target firmware changes to a new value) and is audited, all in one
// transaction. A write that changes nothing on a device leaves that device alone (no new version, no event).

type LockedRow = {
  id: number;
  udid: string;
  name: string;
  tags: string[];
  firmware_version: string | null;
  desired_config: Record<string, unknown> | null;
  desired_version: number;
  desired_firmware: string | null;
};

type Next = { config: Record<string, unknown>; firmware: string | null };

type Planned = {
  row: LockedRow;
  version: number;
  config: Record<string, unknown>;
  firmware: string | null;
  changes: Record<string, ConfigChange>;
  firmwareChanged: boolean;
};

export type DesiredWriteResult = {
  /** Devices the write addressed (1 for a device write; the tag's devices for a bulk write). */
  matched: number;
  /** Devices it changed (each got a new version). */
  changed: number;
  /** The new version of a single-device write (its old one when nothing changed). */
  version?: number;
  deliveries: number;
};

async function lockDevices(tx: Db, orgId: number, where: SQL): Promise<LockedRow[]> {
  const rows = await queryRows<LockedRow>(
    tx,
    sql`select id, udid, name, tags, firmware_version, desired_config, desired_version, desired_firmware
        from devices where org_id = ${orgId} and ${where}
        order by id
        for update`,
  );
  return rows.map((r) => ({
    ...r,
    tags: r.tags ?? [],
    desired_version: Number(r.desired_version),
    desired_config: typeof r.desired_config === "string" ? JSON.parse(r.desired_config) : r.desired_config,
  }));
}

/** `firstEmptyCounts`: saving an empty config on a never-written device is a write (the device page's Save). */
function plan(rows: LockedRow[], next: (row: LockedRow) => Next, firstEmptyCounts = false): Planned[] {
  const out: Planned[] = [];
  for (const row of rows) {
    const n = next(row);
    const changes = diffConfig(row.desired_config, n.config);
    // a first write of an empty config still counts: the device gets version 1 ("nothing set")
    const configChanged = Object.keys(changes).length > 0 || (firstEmptyCounts && row.desired_config === null && row.desired_version === 0);
    const firmwareChanged = n.firmware !== row.desired_firmware;
    if (!configChanged && !firmwareChanged) continue;
    out.push({ row, version: row.desired_version + 1, config: n.config, firmware: n.firmware, changes, firmwareChanged });
  }
  return out;
}

async function actorInfo(tx: Db, actor: Actor): Promise<{ userId: number | null; email: string | null }> {
  if (actor.userId === null) return { userId: null, email: null };
  const [row] = await queryRows<{ email: string }>(tx, sql`select email from users where id = ${actor.userId}`);
  return { userId: actor.userId, email: row?.email ?? null };
}

/** Writes the planned rows and their events in one statement; returns the outbox rows queued. */
async function applyPlan(tx: Db, orgId: number, planned: Planned[], who: { userId: number | null; email: string | null }, now: Date) {
  if (planned.length === 0) return { updated: 0, deliveries: 0 };
  const inputs: EventInput[] = [];
  for (const p of planned) {
    const device = { id: p.row.id, udid: p.row.udid, name: p.row.name, tags: p.row.tags };
    const data: Record<string, unknown> = { version: p.version, changes: p.changes, actor: who };
    if (p.firmwareChanged) data.firmware = { from: p.row.desired_firmware, to: p.firmware };
    inputs.push({ type: "device.config.written", device, data });
    if (p.firmwareChanged && p.firmware !== null) {
      inputs.push({
        type: "device.firmware.update_requested",
        device,
        data: { version: p.version, from: p.row.firmware_version, target: p.firmware },
      });
    }
  }
  const emitted = newEvents(inputs, now);
  const values = planned.map((p) => ({ id: p.row.id, config: p.config, firmware: p.firmware, version: p.version }));
  const at = now.toISOString();
  const [row] = await queryRows<{ updated: number; deliveries: number }>(
    tx,
    sql`with v as (
          select * from jsonb_to_recordset(${JSON.stringify(values)}::jsonb) as v(id int, config jsonb, firmware text, version int)),
        upd as (
          update devices d set desired_config = v.config, desired_firmware = v.firmware, desired_version = v.version,
            desired_updated_at = ${at}::timestamptz, updated_at = ${at}::timestamptz
          from v where d.id = v.id and d.org_id = ${orgId}
          returning d.id),
        ${eventsJsonCte(orgId, inputs, emitted, now)}
        select (select count(*) from upd)::int as updated, (select count(*) from queued)::int as deliveries`,
  );
  if (Number(row.updated) !== planned.length) throw new Error("desired write: a locked device was not updated");
  return { updated: Number(row.updated), deliveries: Number(row.deliveries) };
}

/** The device page's write: the whole desired config and target firmware of one device of the actor's org. */
export async function writeDesired(db: Db, actor: Actor, input: DesiredWriteInput, now: Date = new Date()): Promise<DesiredWriteResult> {
  return db.transaction(async (tx) => {
    const rows = await lockDevices(tx, actor.orgId, sql`id = ${input.deviceId}`);
    const row = rows[0];
    if (!row) throw new UserError("That device does not exist (it may have been deleted).", undefined, "not_found");
    if (input.baseVersion !== undefined && input.baseVersion !== row.desired_version) {
      throw new UserError(
        `Someone else wrote version ${row.desired_version} of this configuration since you opened it; reload and apply your changes again.`,
        undefined,
        "conflict",
      );
    }
    const planned = plan(rows, () => ({ config: input.config, firmware: input.firmwareVersion }), true);
    if (planned.length === 0) return { matched: 1, changed: 0, version: row.desired_version, deliveries: 0 };
    const who = await actorInfo(tx, actor);
    const { deliveries } = await applyPlan(tx, actor.orgId, planned, who, now);
    const p = planned[0];
    const names = Object.keys(p.changes);
    await recordAudit(tx, {
      orgId: actor.orgId,
      actorUserId: actor.userId,
      action: "device.config.written",
      targetType: "device",
      targetId: row.id,
      summary:
        `Wrote configuration version ${p.version} to device ${row.name}` +
        (names.length ? ` (${names.slice(0, 5).join(", ")}${names.length > 5 ? ", …" : ""})` : "") +
        (p.firmwareChanged ? `; target firmware ${p.firmware ?? "cleared"}` : ""),
      details: { udid: row.udid, version: p.version, changes: p.changes, firmware: p.firmwareChanged ? { from: row.desired_firmware, to: p.firmware } : undefined },
    });
    return { matched: 1, changed: 1, version: p.version, deliveries };
  });
}

function bulkNext(input: DesiredBulkInput): (row: LockedRow) => Next {
  return (row) => {
    const config: Record<string, unknown> = { ...(row.desired_config ?? {}) };
    for (const name of input.remove) delete config[name];
    Object.assign(config, input.set);
    const firmware = input.firmware === "keep" ? row.desired_firmware : input.firmware === "clear" ? null : input.firmwareVersion;
    return { config, firmware };
  };
}

const tagWhere = (tag: string) => sql`tags @> array[${tag}]::text[]`;

/** How many of the tag's devices a bulk write would change (nothing is written). */
export async function previewBulkDesired(db: Db, actor: Actor, input: DesiredBulkInput): Promise<{ matched: number; changing: number }> {
  const rows = await queryRows<LockedRow>(
    db,
    sql`select id, udid, name, tags, firmware_version, desired_config, desired_version, desired_firmware
        from devices where org_id = ${actor.orgId} and ${tagWhere(input.tag)}`,
  );
  const parsed = rows.map((r) => ({
    ...r,
    desired_version: Number(r.desired_version),
    desired_config: typeof r.desired_config === "string" ? JSON.parse(r.desired_config) : r.desired_config,
  }));
  return { matched: rows.length, changing: plan(parsed, bulkNext(input)).length };
}

/**
 * Bulk write to every device of the actor's org with a tag, in one transaction: the named values are set (merged
 * into each device's config), the listed names removed, the target firmware kept, set or cleared. One audit entry.
 */
export async function bulkWriteDesired(db: Db, actor: Actor, input: DesiredBulkInput, now: Date = new Date()): Promise<DesiredWriteResult> {
  return db.transaction(async (tx) => {
    const rows = await lockDevices(tx, actor.orgId, tagWhere(input.tag));
    const planned = plan(rows, bulkNext(input));
    if (planned.length === 0) return { matched: rows.length, changed: 0, deliveries: 0 };
    const who = await actorInfo(tx, actor);
    const { deliveries } = await applyPlan(tx, actor.orgId, planned, who, now);
    await recordAudit(tx, {
      orgId: actor.orgId,
      actorUserId: actor.userId,
      action: "device.config.bulk_written",
      targetType: "tag",
      targetId: input.tag,
      summary: `Wrote configuration to ${planned.length} device${planned.length === 1 ? "" : "s"} tagged ${input.tag}`,
      details: {
        tag: input.tag,
        matched: rows.length,
        changed: planned.length,
        set: input.set,
        remove: input.remove,
        firmware: input.firmware === "keep" ? undefined : { action: input.firmware, version: input.firmwareVersion },
      },
    });
    return { matched: rows.length, changed: planned.length, deliveries };
  });
}

/** Canonical text of a config (for ETags and comparisons). */
export const configText = (config: Record<string, unknown> | null) => canonicalJson(config ?? {});
