import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { devices, events, orgs } from "@/db/schema";
import { GET as getDesired } from "@/app/api/v1/devices/[udid]/desired/route";
import { POST as postSignals } from "@/app/api/v1/devices/[udid]/signals/route";
import { POST as postStatus } from "@/app/api/v1/devices/[udid]/status/route";
import { resetDeviceRateLimits } from "@/lib/devices/api";
import { recordDeviceContact } from "@/lib/devices/contact";
import { writeDesired } from "@/lib/devices/desired";
import { hashDeviceToken } from "@/lib/devices/tokens";
import { useTestDatabase as openTestDatabase } from "../support/db";
import { callDeviceRoute, makeDevice } from "./helpers";

const db = openTestDatabase();

beforeEach(() => resetDeviceRateLimits());

async function setup(udid = "cfg-1") {
  const [o] = await db().insert(orgs).values({ slug: `o-${udid}`, name: udid }).returning();
  const { device, token } = await makeDevice(db(), o.id, udid);
  const write = (config: Record<string, unknown>, firmwareVersion: string | null = null) =>
    writeDesired(db(), { orgId: o.id, userId: null }, { deviceId: device.id, config: config as never, firmwareVersion });
  const status = (body: unknown) => callDeviceRoute(postStatus, udid, { token, body });
  return { org: o, device, token, write, status };
}

async function row(id: number) {
  const [r] = await db().select().from(devices).where(eq(devices.id, id));
  return r;
}

async function eventsOf(deviceId: number, type: string) {
  return (await db().select().from(events).where(eq(events.deviceId, deviceId)).orderBy(events.id)).filter((e) => e.type === type);
}

async function getDesiredRoute(udid: string, token: string | null, headers: Record<string, string> = {}) {
  const h: Record<string, string> = { ...headers };
  if (token) h.authorization = `Bearer ${token}`;
  const res = await getDesired(new Request(`http://localhost/api/v1/devices/${udid}/desired`, { headers: h }), { params: Promise.resolve({ udid }) });
  const text = await res.text();
  return { status: res.status, etag: res.headers.get("etag"), json: text ? (JSON.parse(text) as Record<string, unknown>) : null };
}

describe("status API: desired only when behind", () => {
  it("no desired state: the answer has exactly the usual keys", async () => {
    const { status } = await setup();
    const res = await status({ status: "online" });
    expect(res.status).toBe(200);
    expect(Object.keys(res.json).sort()).toEqual(["changed", "events", "lastSeenAt", "status", "udid"]);
  });

  it("written → every answer carries desired until the device acknowledges it applied; then it is gone", async () => {
    const { device, token, write, status } = await setup();
    await status({ status: "online" }); // remembered from here on
    await write({ sampleRate: 10, mode: "eco" });
    const behind = await status({});
    expect(behind.json.desired).toEqual({ version: 1, config: { sampleRate: 10, mode: "eco" }, firmwareVersion: null });
    // the signals answer too
    const sig = await callDeviceRoute(postSignals, device.udid, { token, body: { signals: { t: 1 } } });
    expect(sig.json.desired).toMatchObject({ version: 1 });

    const ack = await status({ reported: { version: 1, status: "applied" } });
    expect(ack.status).toBe(200);
    expect(ack.json.desired).toBeUndefined();
    expect(ack.json.events).toHaveLength(1);
    const r = await row(device.id);
    expect(r).toMatchObject({ reportedVersion: 1, reportedStatus: "applied", reportedError: null, reportedConfig: { sampleRate: 10, mode: "eco" } });
    expect(r.reportedAt).not.toBeNull();
    const [applied] = await eventsOf(device.id, "device.config.applied");
    expect(applied.payload).toEqual({ version: 1 });

    // repeating the ack is harmless: no event, still no desired
    const again = await status({ reported: { version: 1, status: "applied" } });
    expect(again.json).toMatchObject({ events: [] });
    expect(again.json.desired).toBeUndefined();
    expect(await eventsOf(device.id, "device.config.applied")).toHaveLength(1);
    expect((await status({})).json.desired).toBeUndefined();
  });

  it("a write while the device is remembered reaches its very next report", async () => {
    const { write, status } = await setup();
    await status({ status: "online" });
    await status({});
    await write({ a: 1 });
    expect((await status({})).json.desired).toMatchObject({ version: 1, config: { a: 1 } });
    await status({ reported: { version: 1, status: "applied" } });
    await write({ a: 2 });
    expect((await status({})).json.desired).toMatchObject({ version: 2, config: { a: 2 } });
  });

  it("failed: error recorded, event fired, still behind; retried and applied", async () => {
    const { device, write, status } = await setup();
    await write({ a: 1 });
    const failed = await status({ status: "online", reported: { version: 1, status: "failed", error: "a: out of range" } });
    expect(failed.status).toBe(200);
    expect(failed.json.desired).toMatchObject({ version: 1 });
    expect(await row(device.id)).toMatchObject({ reportedVersion: 1, reportedStatus: "failed", reportedError: "a: out of range", reportedConfig: null });
    expect((await eventsOf(device.id, "device.config.failed"))[0].payload).toEqual({ version: 1, error: "a: out of range" });
    const retried = await status({ reported: { version: 1, status: "applied" } });
    expect(retried.json.desired).toBeUndefined();
    expect(await row(device.id)).toMatchObject({ reportedStatus: "applied", reportedError: null });
  });

  it("an old ack after a newer one changes nothing; an ack of an older version than desired leaves the device behind", async () => {
    const { device, write, status } = await setup();
    await write({ a: 1 });
    await write({ a: 2 });
    await write({ a: 3 });
    const older = await status({ reported: { version: 2, status: "applied" } });
    expect(older.json.desired).toMatchObject({ version: 3 });
    expect(await row(device.id)).toMatchObject({ reportedVersion: 2, reportedConfig: null });
    await status({ reported: { version: 3, status: "applied" } });
    const stale = await status({ reported: { version: 1, status: "failed", error: "late" } });
    expect(stale.json.events).toEqual([]);
    expect(await row(device.id)).toMatchObject({ reportedVersion: 3, reportedStatus: "applied", reportedConfig: { a: 3 } });
  });

  it("target firmware: desired names it until the device runs it; reaching it fires device.firmware.updated with data.target", async () => {
    const { device, write, status } = await setup();
    await status({ status: "online", firmwareVersion: "1.0.0" });
    await write({}, "2.0.0");
    const [requested] = await eventsOf(device.id, "device.firmware.update_requested");
    expect(requested.payload).toEqual({ version: 1, from: "1.0.0", target: "2.0.0" });
    // config applied but firmware not yet: still behind
    const half = await status({ reported: { version: 1, status: "applied" } });
    expect(half.json.desired).toEqual({ version: 1, config: {}, firmwareVersion: "2.0.0" });
    const done = await status({ firmwareVersion: "2.0.0" });
    expect(done.json.desired).toBeUndefined();
    const [updated] = await eventsOf(device.id, "device.firmware.updated");
    expect(updated.payload).toEqual({ from: "1.0.0", to: "2.0.0", target: "2.0.0" });
  });

  it("one round trip for a remembered device with nothing pending, and with a desired config pending", async () => {
    const { write, status, token, device } = await setup();
    await status({ status: "online" });
    await status({});
    const internal = db() as unknown as { session: { prepareQuery: (...a: unknown[]) => unknown } };
    const spy = vi.spyOn(internal.session, "prepareQuery");
    const tokenHash = hashDeviceToken(token);
    try {
      await recordDeviceContact(db(), { udid: device.udid, tokenHash, report: {} });
      expect(spy).toHaveBeenCalledTimes(1);
      await write({ a: 1 });
      await recordDeviceContact(db(), { udid: device.udid, tokenHash, report: {} }); // the write made the memory stale
      spy.mockClear();
      const r = await recordDeviceContact(db(), { udid: device.udid, tokenHash, report: {} });
      expect(r!.desired).toMatchObject({ version: 1, config: { a: 1 } });
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
    }
  });
});

describe("status API: bad acknowledgements → 400, nothing recorded", () => {
  it.each([
    ["a version never written", { version: 2, status: "applied" }],
    ["version 0", { version: 0, status: "applied" }],
    ["a string version", { version: "1", status: "applied" }],
    ["an unknown status", { version: 1, status: "done" }],
    ["an extra field", { version: 1, status: "applied", config: {} }],
    ["an error that is not a string", { version: 1, status: "failed", error: { why: 1 } }],
    ["an error over 500 characters", { version: 1, status: "failed", error: "x".repeat(501) }],
    ["not an object", [1, "applied"]],
  ])("%s", async (_name, reported) => {
    const { device, write, status } = await setup();
    await write({ a: 1 });
    const before = await row(device.id);
    const res = await status({ status: "utilizing", firmwareVersion: "9.9", reported });
    expect(res.status).toBe(400);
    expect(res.json.error!.code).toBe("invalid_request");
    const after = await row(device.id);
    expect(after).toEqual(before);
    expect(await eventsOf(device.id, "device.registered")).toHaveLength(0);
  });

  it("an ack when nothing was ever written is refused, for a remembered device too", async () => {
    const { device, status } = await setup();
    await status({ status: "online" });
    const before = await row(device.id);
    const res = await status({ status: "offline", reported: { version: 1, status: "applied" } });
    expect(res.status).toBe(400);
    expect(res.json.error!.message).toBe("reported.version was never written to this device");
    expect(await row(device.id)).toEqual(before);
  });
});

describe("GET /api/v1/devices/{udid}/desired", () => {
  it("answers the desired state with an ETag on the version; If-None-Match → 304; a new write → 200 with a new ETag", async () => {
    const { device, token, write } = await setup();
    const empty = await getDesiredRoute(device.udid, token);
    expect(empty).toMatchObject({ status: 200, etag: '"desired-0"', json: { version: 0, config: {}, firmwareVersion: null } });
    await write({ a: 1 }, "2.0");
    const first = await getDesiredRoute(device.udid, token);
    expect(first).toMatchObject({ status: 200, etag: '"desired-1"', json: { version: 1, config: { a: 1 }, firmwareVersion: "2.0" } });
    const idle = await getDesiredRoute(device.udid, token, { "if-none-match": first.etag! });
    expect(idle).toEqual({ status: 304, etag: '"desired-1"', json: null });
    expect((await getDesiredRoute(device.udid, token, { "if-none-match": `W/${first.etag}, "other"` })).status).toBe(304);
    await write({ a: 2 });
    const changed = await getDesiredRoute(device.udid, token, { "if-none-match": first.etag! });
    expect(changed).toMatchObject({ status: 200, etag: '"desired-2"', json: { version: 2, config: { a: 2 } } });
    // a read is not a contact
    expect((await row(device.id)).lastSeenAt).toBeNull();
  });

  it("needs this device's token: none, a bad one or another device's → 401", async () => {
    const { device, token } = await setup("cfg-a");
    const other = await setup("cfg-b");
    expect((await getDesiredRoute(device.udid, null)).status).toBe(401);
    expect((await getDesiredRoute(device.udid, "spd_" + "x".repeat(40))).status).toBe(401);
    expect((await getDesiredRoute(device.udid, other.token)).status).toBe(401);
    expect((await getDesiredRoute(device.udid, token)).status).toBe(200);
  });
});
