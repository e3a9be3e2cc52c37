import { describe, expect, it } from "vitest";
import {
  applyAck,
  canonicalJson,
  diffConfig,
  firmwareUpdatedData,
  isBehind,
  rolloutState,
  type Ack,
  type DesiredState,
} from "@/lib/devices/desired-state";
import { applyReport } from "@/lib/devices/state-machine";

const state = (over: Partial<DesiredState> = {}): DesiredState => ({
  desiredVersion: 3,
  desiredFirmware: null,
  reportedVersion: 0,
  reportedStatus: null,
  reportedError: null,
  ...over,
});

type Row = [name: string, before: DesiredState, ack: Ack, expected: ReturnType<typeof applyAck>];

const applied = (version: number) => ({ type: "device.config.applied" as const, data: { version } });
const failed = (version: number, error: string) => ({ type: "device.config.failed" as const, data: { version, error } });

describe("applyAck: which version counts and what an ack does", () => {
  const table: Row[] = [
    [
      "first ack of the desired version: applied",
      state(),
      { version: 3, status: "applied" },
      { ok: true, reportedVersion: 3, reportedStatus: "applied", reportedError: null, changed: true, events: [applied(3)] },
    ],
    [
      "an older written version still counts when it is newer than the record (progress, still behind)",
      state({ reportedVersion: 1, reportedStatus: "applied" }),
      { version: 2, status: "applied" },
      { ok: true, reportedVersion: 2, reportedStatus: "applied", reportedError: null, changed: true, events: [applied(2)] },
    ],
    [
      "an old ack (older than the record) is stale: nothing changes, no event",
      state({ reportedVersion: 3, reportedStatus: "applied" }),
      { version: 2, status: "failed", error: "late" },
      { ok: true, reportedVersion: 3, reportedStatus: "applied", reportedError: null, changed: false, ignored: "stale", events: [] },
    ],
    [
      "the same ack again is a no-op (devices repeat it on every report)",
      state({ reportedVersion: 3, reportedStatus: "applied" }),
      { version: 3, status: "applied" },
      { ok: true, reportedVersion: 3, reportedStatus: "applied", reportedError: null, changed: false, ignored: "repeat", events: [] },
    ],
    [
      "failed: the error is recorded and device.config.failed fires",
      state({ reportedVersion: 2, reportedStatus: "applied" }),
      { version: 3, status: "failed", error: "bad value" },
      { ok: true, reportedVersion: 3, reportedStatus: "failed", reportedError: "bad value", changed: true, events: [failed(3, "bad value")] },
    ],
    [
      "failed without an error message: error is empty in the event",
      state(),
      { version: 3, status: "failed" },
      { ok: true, reportedVersion: 3, reportedStatus: "failed", reportedError: null, changed: true, events: [failed(3, "")] },
    ],
    [
      "failed then retried and applied: applied, the error is cleared",
      state({ reportedVersion: 3, reportedStatus: "failed", reportedError: "bad value" }),
      { version: 3, status: "applied", error: "ignored on success" },
      { ok: true, reportedVersion: 3, reportedStatus: "applied", reportedError: null, changed: true, events: [applied(3)] },
    ],
    [
      "failed again with another error: recorded, fires again",
      state({ reportedVersion: 3, reportedStatus: "failed", reportedError: "bad value" }),
      { version: 3, status: "failed", error: "flash failed" },
      { ok: true, reportedVersion: 3, reportedStatus: "failed", reportedError: "flash failed", changed: true, events: [failed(3, "flash failed")] },
    ],
    [
      "failed again with the same error: a repeat",
      state({ reportedVersion: 3, reportedStatus: "failed", reportedError: "bad value" }),
      { version: 3, status: "failed", error: "bad value" },
      { ok: true, reportedVersion: 3, reportedStatus: "failed", reportedError: "bad value", changed: false, ignored: "repeat", events: [] },
    ],
    ["a version never written (ahead of desired) is refused", state(), { version: 4, status: "applied" }, { ok: false, reason: "never_written" }],
    [
      "nothing ever written: any ack is refused",
      state({ desiredVersion: 0 }),
      { version: 1, status: "applied" },
      { ok: false, reason: "never_written" },
    ],
    ["version 0 is refused", state(), { version: 0, status: "applied" }, { ok: false, reason: "never_written" }],
    ["a fractional version is refused", state(), { version: 2.5, status: "applied" }, { ok: false, reason: "never_written" }],
  ];
  it.each(table)("%s", (_name, before, ack, expected) => {
    expect(applyAck(before, ack)).toEqual(expected);
  });
});

describe("isBehind and rolloutState", () => {
  type R = [name: string, s: DesiredState, firmware: string | null, online: boolean, behind: boolean, rollout: string];
  const table: R[] = [
    ["nothing written: on target", state({ desiredVersion: 0 }), "1.0", true, false, "on_target"],
    ["written, never acked: pending", state(), "1.0", true, true, "pending"],
    ["written, never acked, offline: offline", state(), "1.0", false, true, "offline"],
    ["acked an older version: pending", state({ reportedVersion: 2, reportedStatus: "applied" }), "1.0", true, true, "pending"],
    ["applied at desired: on target", state({ reportedVersion: 3, reportedStatus: "applied" }), "1.0", true, false, "on_target"],
    ["applied at desired and offline: still on target", state({ reportedVersion: 3, reportedStatus: "applied" }), "1.0", false, false, "on_target"],
    ["failed at desired: failed (and still behind)", state({ reportedVersion: 3, reportedStatus: "failed" }), "1.0", true, true, "failed"],
    ["failed at desired and offline: failed", state({ reportedVersion: 3, reportedStatus: "failed" }), "1.0", false, true, "failed"],
    ["failed at an older version: pending", state({ reportedVersion: 2, reportedStatus: "failed" }), "1.0", true, true, "pending"],
    [
      "config applied but firmware not on target: pending",
      state({ reportedVersion: 3, reportedStatus: "applied", desiredFirmware: "2.0" }),
      "1.0",
      true,
      true,
      "pending",
    ],
    [
      "firmware target reached and config applied: on target",
      state({ reportedVersion: 3, reportedStatus: "applied", desiredFirmware: "2.0" }),
      "2.0",
      true,
      false,
      "on_target",
    ],
    [
      "firmware target reached but config not applied: pending",
      state({ reportedVersion: 2, reportedStatus: "applied", desiredFirmware: "2.0" }),
      "2.0",
      true,
      true,
      "pending",
    ],
    ["firmware unknown (never reported) with a target: behind", state({ reportedVersion: 3, reportedStatus: "applied", desiredFirmware: "2.0" }), null, true, true, "pending"],
  ];
  it.each(table)("%s", (_name, s, firmware, online, behind, rollout) => {
    expect(isBehind(s, firmware)).toBe(behind);
    expect(rolloutState(s, firmware, online)).toBe(rollout);
  });
});

describe("firmware target reached", () => {
  it("device.firmware.updated carries the target when one is set", () => {
    expect(firmwareUpdatedData("1.0", "2.0", "2.0")).toEqual({ from: "1.0", to: "2.0", target: "2.0" });
    expect(firmwareUpdatedData("1.0", "1.1", "2.0")).toEqual({ from: "1.0", to: "1.1", target: "2.0" });
    expect(firmwareUpdatedData("1.0", "2.0", null)).toEqual({ from: "1.0", to: "2.0" });
  });

  it("applyReport adds data.target to device.firmware.updated when a target is set", () => {
    const base = { status: "online" as const, firmwareVersion: "1.0", registeredAt: new Date(0) };
    expect(applyReport({ ...base, targetFirmware: "2.0" }, { firmwareVersion: "2.0" }).events).toEqual([
      { type: "device.firmware.updated", data: { from: "1.0", to: "2.0", target: "2.0" } },
    ]);
    expect(applyReport(base, { firmwareVersion: "2.0" }).events).toEqual([
      { type: "device.firmware.updated", data: { from: "1.0", to: "2.0" } },
    ]);
  });
});

describe("diffConfig", () => {
  it("added, removed and changed keys; equal values (any key order) left out", () => {
    expect(
      diffConfig({ a: 1, b: { x: 1, y: 2 }, c: "gone" }, { a: 2, b: { y: 2, x: 1 }, d: [1] }),
    ).toEqual({ a: { from: 1, to: 2 }, c: { from: "gone" }, d: { to: [1] } });
    expect(diffConfig(null, { a: null })).toEqual({ a: { to: null } });
    expect(diffConfig({ a: 1 }, { a: 1 })).toEqual({});
  });
  it("canonicalJson sorts keys at every level", () => {
    expect(canonicalJson({ b: [{ d: 1, c: 2 }], a: null })).toBe('{"a":null,"b":[{"c":2,"d":1}]}');
  });
});
