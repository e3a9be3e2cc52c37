/**
 * The device status state machine (Kobiton rules; README, "Devices and the status API"). Pure: given what the device row holds and what
 * the device reported, it says the new state and which events fire. An event fires only on a change.
 */
import type { DeviceStatus } from "@/db/schema/devices";
import type { EventType } from "@/lib/events/catalog";
import { firmwareUpdatedData } from "./desired-state";

export type DeviceState = {
  status: DeviceStatus;
  firmwareVersion: string | null;
  /** null until the device's first contact. */
  registeredAt: Date | null;
  /** The target firmware written by the portal (desired state), if any: added to device.firmware.updated. */
  targetFirmware?: string | null;
};

export type Report = {
  /** Absent: a heartbeat. */
  status?: DeviceStatus;
  firmwareVersion?: string;
};

export type TransitionEvent = { type: EventType; data: Record<string, unknown> };

export type Transition = {
  status: DeviceStatus;
  firmwareVersion: string | null;
  /** Whether the status changed. */
  changed: boolean;
  /** Whether this is the device's first ever contact. */
  firstContact: boolean;
  events: TransitionEvent[];
};

/** The event a status change fires, or null when the change is silent (utilizing → online). */
export function statusChangeEvent(
  previous: DeviceStatus,
  next: DeviceStatus,
  reason: "reported" | "timeout" = "reported",
): TransitionEvent | null {
  if (previous === next) return null;
  const data = { previousStatus: previous, status: next };
  switch (next) {
    case "online":
      // back from offline or unplugged is news; finishing a session (utilizing → online) is not
      return previous === "utilizing" ? null : { type: "device.status.online", data };
    case "offline":
      return { type: "device.status.offline", data: { ...data, reason } };
    case "utilizing":
      return { type: "device.state.utilizing", data };
    case "unplugged":
      return { type: "device.state.unplugged", data };
  }
}

/**
 * Applies a report from the device. A heartbeat (no status) keeps the status, except that an offline device that
 * is heard from is online again. First contact adds device.registered; a known firmware version that changes adds
 * device.firmware.updated (with `target` when a target firmware is set).
 */
export function applyReport(state: DeviceState, report: Report): Transition {
  const next: DeviceStatus = report.status ?? (state.status === "offline" ? "online" : state.status);
  const firmwareVersion = report.firmwareVersion ?? state.firmwareVersion;
  const firstContact = state.registeredAt === null;
  const events: TransitionEvent[] = [];
  if (firstContact) {
    events.push({ type: "device.registered", data: { status: next, firmwareVersion } });
  }
  const change = statusChangeEvent(state.status, next);
  if (change) events.push(change);
  if (report.firmwareVersion !== undefined && state.firmwareVersion !== null && report.firmwareVersion !== state.firmwareVersion) {
    events.push({
      type: "device.firmware.updated",
      data: firmwareUpdatedData(state.firmwareVersion, report.firmwareVersion, state.targetFirmware ?? null),
    });
  }
  return { status: next, firmwareVersion, changed: next !== state.status, firstContact, events };
}
