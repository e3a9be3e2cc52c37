import "server-only";
import { sql } from "drizzle-orm";
import { queryRows, type Db } from "@/db/client";
import type { DeviceStatus } from "@/db/schema";
import { rolloutState, type ReportedStatus, type RolloutState } from "./desired-state";

// What the portal shows of desired state: one device's desired/reported view and the rollout summary of a tag or org.

const iso = (d: Date | string | null): string | null => (d ? new Date(d).toISOString() : null);

/** A device's desired state as the portal shows it (JSON-safe). */
export type DesiredView = {
  version: number;
  config: Record<string, unknown> | null;
  firmwareVersion: string | null;
  updatedAt: string | null;
  reported: {
    version: number;
    status: ReportedStatus | null;
    error: string | null;
    at: string | null;
    /** The config of the last version the device reported applied. */
    config: Record<string, unknown> | null;
  };
  /** The device's firmware as last reported. */
  currentFirmware: string | null;
  rollout: RolloutState;
};

const jsonValue = <T>(v: unknown): T | null => (v === null || v === undefined ? null : typeof v === "string" ? (JSON.parse(v) as T) : (v as T));

type RawDesired = {
  status: DeviceStatus;
  firmware_version: string | null;
  desired_config: unknown;
  desired_version: number;
  desired_firmware: string | null;
  desired_updated_at: Date | string | null;
  reported_version: number;
  reported_status: ReportedStatus | null;
  reported_error: string | null;
  reported_at: Date | string | null;
  reported_config: unknown;
};

/** The desired and reported state of one device of the org, or null. */
export async function getDesiredView(db: Db, orgId: number, deviceId: number): Promise<DesiredView | null> {
  const [r] = await queryRows<RawDesired>(
    db,
    sql`select status, firmware_version, desired_config, desired_version, desired_firmware, desired_updated_at,
          reported_version, reported_status, reported_error, reported_at, reported_config
        from devices where org_id = ${orgId} and id = ${deviceId}`,
  );
  if (!r) return null;
  const state = {
    desiredVersion: Number(r.desired_version),
    desiredFirmware: r.desired_firmware,
    reportedVersion: Number(r.reported_version),
    reportedStatus: r.reported_status,
    reportedError: r.reported_error,
  };
  return {
    version: state.desiredVersion,
    config: jsonValue<Record<string, unknown>>(r.desired_config),
    firmwareVersion: r.desired_firmware,
    updatedAt: iso(r.desired_updated_at),
    reported: {
      version: state.reportedVersion,
      status: r.reported_status,
      error: r.reported_error,
      at: iso(r.reported_at),
      config: jsonValue<Record<string, unknown>>(r.reported_config),
    },
    currentFirmware: r.firmware_version,
    rollout: rolloutState(state, r.firmware_version, r.status !== "offline"),
  };
}

/** rolloutState (lib/devices/desired-state.ts) in SQL, over a devices row; keep the two in step (tested together). */
const BEHIND_SQL = sql`((desired_version > 0 and not (reported_version >= desired_version and reported_status = 'applied'))
  or (desired_firmware is not null and firmware_version is distinct from desired_firmware))`;
const ROLLOUT_SQL = sql`case
  when not ${BEHIND_SQL} then 'on_target'
  when reported_status = 'failed' and reported_version = desired_version then 'failed'
  when status = 'offline' then 'offline'
  else 'pending' end`;

export type LaggardView = {
  id: number;
  udid: string;
  name: string;
  status: DeviceStatus;
  rollout: RolloutState;
  desiredVersion: number;
  reportedVersion: number;
  reportedError: string | null;
  firmwareVersion: string | null;
  targetFirmware: string | null;
  lastSeenAt: string | null;
};

export type RolloutSummary = {
  tag: string | null;
  total: number;
  counts: Record<RolloutState, number>;
  /** Devices not on target: failed first, then pending, then offline; at most `limit`. */
  laggards: LaggardView[];
};

/** Where an org's devices (or those with a tag) stand against their desired state: counts and the laggards. */
export async function rolloutSummary(db: Db, orgId: number, tag: string | null, limit = 50): Promise<RolloutSummary> {
  const where = tag ? sql`org_id = ${orgId} and tags @> array[${tag}]::text[]` : sql`org_id = ${orgId}`;
  const counts: Record<RolloutState, number> = { on_target: 0, pending: 0, failed: 0, offline: 0 };
  const rows = await queryRows<{ rollout: RolloutState; n: number }>(
    db,
    sql`select ${ROLLOUT_SQL} as rollout, count(*)::int as n from devices where ${where} group by 1`,
  );
  for (const r of rows) counts[r.rollout] = Number(r.n);
  const laggards = await queryRows<{
    id: number;
    udid: string;
    name: string;
    status: DeviceStatus;
    rollout: RolloutState;
    desired_version: number;
    reported_version: number;
    reported_error: string | null;
    firmware_version: string | null;
    desired_firmware: string | null;
    last_seen_at: Date | string | null;
  }>(
    db,
    sql`select id, udid, name, status, rollout, desired_version, reported_version, reported_error, firmware_version,
          desired_firmware, last_seen_at
        from (select *, ${ROLLOUT_SQL} as rollout from devices where ${where} and ${BEHIND_SQL}) d
        order by case rollout when 'failed' then 0 when 'pending' then 1 else 2 end, name, id
        limit ${limit}`,
  );
  return {
    tag,
    total: Object.values(counts).reduce((a, b) => a + b, 0),
    counts,
    laggards: laggards.map((r) => ({
      id: r.id,
      udid: r.udid,
      name: r.name,
      status: r.status,
      rollout: r.rollout,
      desiredVersion: Number(r.desired_version),
      reportedVersion: Number(r.reported_version),
      reportedError: r.reported_error,
      firmwareVersion: r.firmware_version,
      targetFirmware: r.desired_firmware,
      lastSeenAt: iso(r.last_seen_at),
    })),
  };
}
