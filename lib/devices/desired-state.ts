/**
 * Desired state (README, "Writing to devices"): the rules that relate what the portal asked a device to hold (a
 * config version, optionally a target firmware) to what the device reported back. Pure and isomorphic: the status
 * API, the portal and the rollout view all decide with these functions.
 *
 * - One version counter covers the desired config and the target firmware: every write that changes either one
 *   bumps it (version 0: nothing was ever written).
 * - A device acknowledges a version with `reported: { version, status: "applied" | "failed", error? }`. A version
 *   is "applied" when the device holds its config (and runs its target firmware, if it names one).
 * - Which version counts: the highest one acknowledged. An ack of an older version than the one on record is stale
 *   (late, reordered) and changes nothing; an ack of a version never written is refused (the request is a 400).
 * - The same ack again (same version, same status, same error) changes nothing: devices may repeat it on every
 *   report. A failed version that is retried and then applied moves to applied (device.config.applied fires).
 * - A device is behind while its record is not "applied" at the desired version, or while its firmware differs
 *   from the target; only then does the status API answer carry `desired`.
 */
import type { TransitionEvent } from "./state-machine";

export type ReportedStatus = "applied" | "failed";

/** What the device row holds about desired and reported state. */
export type DesiredState = {
  /** Latest version written by the portal (0: never written). */
  desiredVersion: number;
  /** Target firmware, or null for none. */
  desiredFirmware: string | null;
  /** Highest version the device acknowledged (0: none). */
  reportedVersion: number;
  reportedStatus: ReportedStatus | null;
  reportedError: string | null;
};

/** The `reported` object of a status request. */
export type Ack = { version: number; status: ReportedStatus; error?: string | null };

export type AckOutcome =
  | {
      ok: true;
      reportedVersion: number;
      reportedStatus: ReportedStatus | null;
      reportedError: string | null;
      /** Whether the record changed (stale or repeated acks change nothing). */
      changed: boolean;
      /** "stale": older than the version on record; "repeat": the same ack again. */
      ignored?: "stale" | "repeat";
      events: TransitionEvent[];
    }
  | { ok: false; reason: "never_written" };

export const NEVER_WRITTEN_MESSAGE = "reported.version was never written to this device";

/** Applies a device's acknowledgement to its record (see the rules above). */
export function applyAck(state: DesiredState, ack: Ack): AckOutcome {
  if (!Number.isInteger(ack.version) || ack.version < 1 || ack.version > state.desiredVersion) {
    return { ok: false, reason: "never_written" };
  }
  const keep = {
    reportedVersion: state.reportedVersion,
    reportedStatus: state.reportedStatus,
    reportedError: state.reportedError,
    changed: false,
    events: [] as TransitionEvent[],
  };
  if (ack.version < state.reportedVersion) return { ok: true, ...keep, ignored: "stale" };
  const error = ack.status === "failed" ? (ack.error ?? null) : null;
  if (ack.version === state.reportedVersion && ack.status === state.reportedStatus && error === state.reportedError) {
    return { ok: true, ...keep, ignored: "repeat" };
  }
  const events: TransitionEvent[] =
    ack.status === "applied"
      ? [{ type: "device.config.applied", data: { version: ack.version } }]
      : [{ type: "device.config.failed", data: { version: ack.version, error: error ?? "" } }];
  return { ok: true, reportedVersion: ack.version, reportedStatus: ack.status, reportedError: error, changed: true, events };
}

/** Whether the device's config record is behind the desired version (not applied at it). */
export function configBehind(s: Pick<DesiredState, "desiredVersion" | "reportedVersion" | "reportedStatus">): boolean {
  return s.desiredVersion > 0 && !(s.reportedVersion >= s.desiredVersion && s.reportedStatus === "applied");
}

/** Whether a target firmware is set and the device does not (yet) run it. */
export function firmwareBehind(desiredFirmware: string | null, firmwareVersion: string | null): boolean {
  return desiredFirmware !== null && firmwareVersion !== desiredFirmware;
}

/** Whether the status API answer carries `desired`: config or firmware behind. */
export function isBehind(s: DesiredState, firmwareVersion: string | null): boolean {
  return configBehind(s) || firmwareBehind(s.desiredFirmware, firmwareVersion);
}

export const ROLLOUT_STATES = ["on_target", "pending", "failed", "offline"] as const;
export type RolloutState = (typeof ROLLOUT_STATES)[number];

/**
 * Where a device stands in a rollout: on target (applied at the desired version and on the target firmware),
 * failed (its last ack of the desired version failed), offline (behind and not reachable), else pending.
 */
export function rolloutState(s: DesiredState, firmwareVersion: string | null, online: boolean): RolloutState {
  if (!isBehind(s, firmwareVersion)) return "on_target";
  if (s.reportedStatus === "failed" && s.reportedVersion === s.desiredVersion) return "failed";
  return online ? "pending" : "offline";
}

/**
 * The `data` of device.firmware.updated: from/to as before, plus `target` (the target firmware) when one is set,
 * so a subscriber can tell "reached the target" (`to === target`) from any other change.
 */
export function firmwareUpdatedData(from: string, to: string, target: string | null): Record<string, unknown> {
  return target === null ? { from, to } : { from, to, target };
}

export type ConfigChange = { from?: unknown; to?: unknown };

/**
 * Key-by-key difference between two configs: added keys have only `to`, removed keys only `from`, changed keys
 * both; equal values (compared as canonical JSON) are left out.
 */
export function diffConfig(before: Record<string, unknown> | null, after: Record<string, unknown> | null): Record<string, ConfigChange> {
  const a = before ?? {};
  const b = after ?? {};
  const out: Record<string, ConfigChange> = {};
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const inA = Object.prototype.hasOwnProperty.call(a, key);
    const inB = Object.prototype.hasOwnProperty.call(b, key);
    if (inA && inB) {
      if (canonicalJson(a[key]) !== canonicalJson(b[key])) out[key] = { from: a[key], to: b[key] };
    } else if (inA) out[key] = { from: a[key] };
    else out[key] = { to: b[key] };
  }
  return out;
}

/** JSON with object keys sorted (jsonb does not keep key order, so compare values this way). */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const obj = value as Record<string, unknown>;
  return `{${Object.keys(obj)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`)
    .join(",")}}`;
}
