import { describe, expect, it } from "vitest";
import type { DeviceStatus } from "@/db/schema/devices";
import { applyReport, statusChangeEvent } from "@/lib/devices/state-machine";

const registered = new Date("2026-11-01T00:00:00Z");
const S: DeviceStatus[] = ["online", "offline", "utilizing", "unplugged"];

// Every (from, to) pair of a reported status and the one event it must fire (null: none).
const TRANSITIONS: Array<[DeviceStatus, DeviceStatus, string | null]> = [
  ["online", "online", null],
  ["online", "offline", "device.status.offline"],
  ["online", "utilizing", "device.state.utilizing"],
  ["online", "unplugged", "device.state.unplugged"],
  ["offline", "online", "device.status.online"],
  ["offline", "offline", null],
  ["offline", "utilizing", "device.state.utilizing"],
  ["offline", "unplugged", "device.state.unplugged"],
  ["utilizing", "online", null], // silent: a session ended
  ["utilizing", "offline", "device.status.offline"],
  ["utilizing", "utilizing", null],
  ["utilizing", "unplugged", "device.state.unplugged"],
  ["unplugged", "online", "device.status.online"],
  ["unplugged", "offline", "device.status.offline"],
  ["unplugged", "utilizing", "device.state.utilizing"],
  ["unplugged", "unplugged", null],
];

describe("status state machine", () => {
  it("covers every pair of statuses", () => {
    expect(TRANSITIONS.map(([a, b]) => `${a}>${b}`).sort()).toEqual(S.flatMap((a) => S.map((b) => `${a}>${b}`)).sort());
  });

  it.each(TRANSITIONS)("%s → %s fires %s", (from, to, expected) => {
    const t = applyReport({ status: from, firmwareVersion: "1.0.0", registeredAt: registered }, { status: to });
    expect(t.status).toBe(to);
    expect(t.changed).toBe(from !== to);
    expect(t.firstContact).toBe(false);
    expect(t.events.map((e) => e.type)).toEqual(expected ? [expected] : []);
    if (expected) {
      const data = t.events[0].data;
      expect(data).toMatchObject({ previousStatus: from, status: to });
      if (to === "offline") expect(data.reason).toBe("reported");
    }
  });

  it.each<[DeviceStatus, DeviceStatus, string[]]>([
    ["offline", "online", ["device.status.online"]],
    ["online", "online", []],
    ["utilizing", "utilizing", []],
    ["unplugged", "unplugged", []],
  ])("a heartbeat from %s leaves it %s", (from, to, types) => {
    const t = applyReport({ status: from, firmwareVersion: null, registeredAt: registered }, {});
    expect(t.status).toBe(to);
    expect(t.events.map((e) => e.type)).toEqual(types);
  });

  it("first contact adds device.registered before the status change", () => {
    const t = applyReport({ status: "offline", firmwareVersion: null, registeredAt: null }, { status: "online", firmwareVersion: "2.1.0" });
    expect(t.firstContact).toBe(true);
    expect(t.events).toEqual([
      { type: "device.registered", data: { status: "online", firmwareVersion: "2.1.0" } },
      { type: "device.status.online", data: { previousStatus: "offline", status: "online" } },
    ]);
    expect(t.firmwareVersion).toBe("2.1.0");
  });

  it("a first heartbeat registers the device and brings it online", () => {
    const t = applyReport({ status: "offline", firmwareVersion: null, registeredAt: null }, {});
    expect(t.events.map((e) => e.type)).toEqual(["device.registered", "device.status.online"]);
  });

  it("a new firmware version of a known one fires device.firmware.updated with from/to", () => {
    const t = applyReport({ status: "online", firmwareVersion: "2.0.3", registeredAt: registered }, { firmwareVersion: "2.1.0" });
    expect(t.events).toEqual([{ type: "device.firmware.updated", data: { from: "2.0.3", to: "2.1.0" } }]);
    expect(t.firmwareVersion).toBe("2.1.0");
    expect(t.changed).toBe(false);
  });

  it("the same firmware, or the first known firmware, fires nothing", () => {
    expect(applyReport({ status: "online", firmwareVersion: "2.0.3", registeredAt: registered }, { firmwareVersion: "2.0.3" }).events).toEqual([]);
    const first = applyReport({ status: "online", firmwareVersion: null, registeredAt: registered }, { firmwareVersion: "1.0.0" });
    expect(first.events).toEqual([]);
    expect(first.firmwareVersion).toBe("1.0.0");
  });

  it("status and firmware change together fire both, status first", () => {
    const t = applyReport({ status: "online", firmwareVersion: "1", registeredAt: registered }, { status: "utilizing", firmwareVersion: "2" });
    expect(t.events.map((e) => e.type)).toEqual(["device.state.utilizing", "device.firmware.updated"]);
  });

  it("a timeout carries reason timeout", () => {
    expect(statusChangeEvent("utilizing", "offline", "timeout")).toEqual({
      type: "device.status.offline",
      data: { previousStatus: "utilizing", status: "offline", reason: "timeout" },
    });
    expect(statusChangeEvent("offline", "offline", "timeout")).toBeNull();
  });
});
