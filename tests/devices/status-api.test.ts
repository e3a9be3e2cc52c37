import { eq, sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { getDatabase, openDatabase, queryRows, setProcessDatabase } from "@/db/client";
import { devices, deviceTokens, events, orgs, outbox, signals, webhooks } from "@/db/schema";
import { POST as postSignals } from "@/app/api/v1/devices/[udid]/signals/route";
import { POST as postStatus } from "@/app/api/v1/devices/[udid]/status/route";
import { regenerateDeviceToken } from "@/lib/devices/admin";
import { resetDeviceRateLimits } from "@/lib/devices/api";
import { recordDeviceContact } from "@/lib/devices/contact";
import { hashDeviceToken } from "@/lib/devices/tokens";
import { useTestDatabase as openTestDatabase } from "../support/db";
import { callDeviceRoute, makeDevice, subscribeAll } from "./helpers";

const db = openTestDatabase();

async function org(slug = "acme") {
  const [row] = await db().insert(orgs).values({ slug, name: slug }).returning();
  return row;
}

async function deviceRow(id: number) {
  const [row] = await db().select().from(devices).where(eq(devices.id, id));
  return row;
}

async function eventTypes(deviceId: number) {
  const rows = await db().select().from(events).where(eq(events.deviceId, deviceId)).orderBy(events.id);
  return rows.map((r) => r.type);
}

beforeEach(() => resetDeviceRateLimits());

describe("POST /api/v1/devices/{udid}/status", () => {
  it("first contact registers the device, brings it online and keeps the presence deadline", async () => {
    const o = await org();
    const { device, token } = await makeDevice(db(), o.id, "ce0917198075440c057e", { offlineAfterSeconds: 120 });
    const res = await callDeviceRoute(postStatus, device.udid, { token, body: { status: "online", firmwareVersion: "2.1.0" } });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ udid: device.udid, status: "online", changed: true });
    expect(res.json.events).toHaveLength(2);
    expect(Object.keys(res.json).sort()).toEqual(["changed", "events", "lastSeenAt", "status", "udid"]);
    const row = await deviceRow(device.id);
    expect(row.status).toBe("online");
    expect(row.firmwareVersion).toBe("2.1.0");
    expect(row.lastSeenAt?.toISOString()).toBe(res.json.lastSeenAt);
    expect(row.registeredAt?.toISOString()).toBe(res.json.lastSeenAt);
    expect(row.presenceDeadline!.getTime() - row.lastSeenAt!.getTime()).toBe(120_000);
    expect(await eventTypes(device.id)).toEqual(["device.created", "device.registered", "device.status.online"]);
    const [tok] = await db().select().from(deviceTokens).where(eq(deviceTokens.deviceId, device.id));
    expect(tok.lastUsedAt).not.toBeNull();
  });

  it("a heartbeat changes nothing but last seen; an offline device that sends one comes back online", async () => {
    const o = await org();
    const { device, token } = await makeDevice(db(), o.id);
    await callDeviceRoute(postStatus, device.udid, { token, body: { status: "online" } });
    const first = await deviceRow(device.id);
    const beat = await callDeviceRoute(postStatus, device.udid, { token, body: {} });
    expect(beat.status).toBe(200);
    expect(beat.json).toMatchObject({ status: "online", changed: false, events: [] });
    const after = await deviceRow(device.id);
    expect(after.lastSeenAt!.getTime()).toBeGreaterThanOrEqual(first.lastSeenAt!.getTime());
    expect(after.presenceDeadline!.getTime()).toBe(after.lastSeenAt!.getTime() + 300_000);

    await callDeviceRoute(postStatus, device.udid, { token, body: { status: "offline" } });
    // an empty body with no content type is a heartbeat too
    const back = await callDeviceRoute(postStatus, device.udid, { token, headers: { "content-type": "" } });
    expect(back.status).toBe(200);
    expect(back.json).toMatchObject({ status: "online", changed: true });
    const types = await eventTypes(device.id);
    expect(types.slice(-2)).toEqual(["device.status.offline", "device.status.online"]);
    const [offline] = await db().select().from(events).where(eq(events.id, types.length ? (await db().select().from(events).where(eq(events.type, "device.status.offline")))[0].id : ""));
    expect(offline.payload).toEqual({ previousStatus: "online", status: "offline", reason: "reported" });
  });

  it("utilizing → online is silent; firmware changes fire device.firmware.updated with from/to", async () => {
    const o = await org();
    const { device, token } = await makeDevice(db(), o.id);
    await callDeviceRoute(postStatus, device.udid, { token, body: { status: "utilizing", firmwareVersion: "1.0.0" } });
    const back = await callDeviceRoute(postStatus, device.udid, { token, body: { status: "online" } });
    expect(back.json).toMatchObject({ status: "online", changed: true, events: [] });
    const fw = await callDeviceRoute(postStatus, device.udid, { token, body: { firmwareVersion: "1.1.0" } });
    expect(fw.json.events).toHaveLength(1);
    const [ev] = await db().select().from(events).where(eq(events.id, (fw.json.events as string[])[0]));
    expect(ev.type).toBe("device.firmware.updated");
    expect(ev.payload).toEqual({ from: "1.0.0", to: "1.1.0" });
  });

  it("signals in a status report are stored with one device.telemetry event", async () => {
    const o = await org();
    const { device, token } = await makeDevice(db(), o.id);
    const res = await callDeviceRoute(postStatus, device.udid, { token, body: { signals: { temperature: 21.5, door: "open" } } });
    expect(res.status).toBe(200);
    const rows = await db().select().from(signals).where(eq(signals.deviceId, device.id));
    expect(rows.map((r) => [r.name, r.value]).sort()).toEqual([["door", "open"], ["temperature", 21.5]]);
    expect((await eventTypes(device.id)).filter((t) => t === "device.telemetry")).toHaveLength(1);
  });

  describe("errors", () => {
    it("400 for malformed JSON", async () => {
      const o = await org();
      const { device, token } = await makeDevice(db(), o.id);
      const res = await callDeviceRoute(postStatus, device.udid, { token, raw: '{"status": "online"' });
      expect(res.status).toBe(400);
      expect(res.json.error).toEqual({ code: "invalid_json", message: "The body is not valid JSON." });
    });

    it("400 naming the field for a bad shape", async () => {
      const o = await org();
      const { device, token } = await makeDevice(db(), o.id);
      const bad = await callDeviceRoute(postStatus, device.udid, { token, body: { status: "sleeping" } });
      expect(bad.status).toBe(400);
      expect(bad.json.error!.code).toBe("invalid_request");
      expect(bad.json.error!.message).toBe("status: status must be one of online, offline, utilizing, unplugged");
      expect(bad.json.error!.fields).toEqual({ status: ["status must be one of online, offline, utilizing, unplugged"] });

      const fw = await callDeviceRoute(postStatus, device.udid, { token, body: { firmwareVersion: 7 } });
      expect(fw.json.error!.message).toBe("firmwareVersion: firmwareVersion must be a string");

      const extra = await callDeviceRoute(postStatus, device.udid, { token, body: { stauts: "online" } });
      expect(extra.status).toBe(400);
      expect(extra.json.error!.message).toContain("stauts");

      const arr = await callDeviceRoute(postStatus, device.udid, { token, body: ["online"] });
      expect(arr.status).toBe(400);
      expect(arr.json.error!.message).toBe("The body must be a JSON object.");
      // nothing was recorded
      expect((await deviceRow(device.id)).lastSeenAt).toBeNull();
    });

    it("the same 401 for a missing, malformed, unknown, revoked or another device's token and an unknown udid", async () => {
      const o = await org();
      const { device, token } = await makeDevice(db(), o.id, "dev-1");
      const { token: otherToken } = await makeDevice(db(), o.id, "dev-2");
      const fresh = await regenerateDeviceToken(db(), { orgId: o.id, userId: null }, device.id);
      const cases = [
        await callDeviceRoute(postStatus, "dev-1", { body: {} }),
        await callDeviceRoute(postStatus, "dev-1", { token: "not-a-token", body: {} }),
        await callDeviceRoute(postStatus, "dev-1", { token: "spd_" + "A".repeat(40), body: {} }),
        await callDeviceRoute(postStatus, "dev-1", { token, body: {} }), // revoked by the regeneration
        await callDeviceRoute(postStatus, "dev-1", { token: otherToken, body: {} }),
        await callDeviceRoute(postStatus, "no-such-device", { token: fresh.token, body: {} }),
      ];
      for (const res of cases) {
        expect(res.status).toBe(401);
        expect(res.json).toEqual({ error: { code: "unauthorized", message: "Missing or invalid device token for this device." } });
        expect(res.headers.get("www-authenticate")).toContain("Bearer");
      }
      expect((await deviceRow(device.id)).lastSeenAt).toBeNull();
      // the new token works
      expect((await callDeviceRoute(postStatus, "dev-1", { token: fresh.token, body: {} })).status).toBe(200);
    });

    it("records device.authentication.failed for the device a wrong secret is tied to, at most once a minute", async () => {
      const o = await org();
      const { device, token } = await makeDevice(db(), o.id, "dev-1");
      // the token's public reference with a wrong secret: tied to this device
      const wrongSecret = token.slice(0, 16) + "B".repeat(40);
      expect(wrongSecret).not.toBe(token);
      for (let i = 0; i < 3; i++) {
        await callDeviceRoute(postStatus, "dev-1", { token: wrongSecret, body: {}, headers: { "x-forwarded-for": "203.0.113.7" } });
      }
      const failures = await db().select().from(events).where(eq(events.type, "device.authentication.failed"));
      expect(failures).toHaveLength(1);
      expect(failures[0]).toMatchObject({ deviceId: device.id, deviceUdid: "dev-1", orgId: o.id });
      expect(failures[0].payload).toEqual({ reason: "invalid_token", ip: "203.0.113.7" });
      // a minute later a new one may be recorded: the revoked token, presented again, is tied to its device too
      await db().update(devices).set({ authFailureEventAt: new Date(Date.now() - 61_000) }).where(eq(devices.id, device.id));
      await regenerateDeviceToken(db(), { orgId: o.id, userId: null }, device.id);
      await callDeviceRoute(postStatus, "dev-1", { token, body: {} });
      const again = await db().select().from(events).where(eq(events.type, "device.authentication.failed"));
      expect(again.map((e) => e.payload.reason).sort()).toEqual(["invalid_token", "revoked_token"]);
      // nothing ties these to a device: a missing or malformed token, a bare unknown token, an unknown udid
      await db().update(devices).set({ authFailureEventAt: null }).where(eq(devices.id, device.id));
      await callDeviceRoute(postStatus, "dev-1", { body: {} });
      await callDeviceRoute(postStatus, "dev-1", { token: "not-a-token", body: {} });
      await callDeviceRoute(postStatus, "dev-1", { token: "spd_" + "B".repeat(40), body: {} });
      await callDeviceRoute(postStatus, "dev-1", { token: "spd_" + "C".repeat(52), body: {} });
      await callDeviceRoute(postStatus, "ghost", { token: wrongSecret, body: {} });
      expect(await db().select().from(events).where(eq(events.type, "device.authentication.failed"))).toHaveLength(2);
    });

    it("a bad token aimed at org B's device raises nothing in org A, which has a device with the same udid", async () => {
      const a = await org("org-a");
      const b = await org("org-b");
      const inA = await makeDevice(db(), a.id, "shared-udid-1");
      const inB = await makeDevice(db(), b.id, "shared-udid-1");
      await subscribeAll(db(), a.id);
      await subscribeAll(db(), b.id);
      const aimedAtB = inB.token.slice(0, 16) + "Z".repeat(40);
      expect((await callDeviceRoute(postStatus, "shared-udid-1", { token: aimedAtB, body: {} })).status).toBe(401);
      // and tokens tied to nothing (a bare unknown one, a missing one) raise nothing in either org
      expect((await callDeviceRoute(postStatus, "shared-udid-1", { token: "spd_" + "Q".repeat(40), body: {} })).status).toBe(401);
      expect((await callDeviceRoute(postStatus, "shared-udid-1", { body: {} })).status).toBe(401);
      const failures = await db().select().from(events).where(eq(events.type, "device.authentication.failed"));
      expect(failures.map((e) => [e.orgId, e.deviceId])).toEqual([[b.id, inB.device.id]]);
      const queued = await db().select().from(outbox);
      expect(queued.every((r) => r.orgId === b.id)).toBe(true);
      // A's own device still works, and so does B's
      expect((await callDeviceRoute(postStatus, "shared-udid-1", { token: inA.token, body: { status: "online" } })).status).toBe(200);
      expect((await callDeviceRoute(postStatus, "shared-udid-1", { token: inB.token, body: { status: "online" } })).status).toBe(200);
    });

    it("tokens issued before references (spd_ + 40 base62, no ref stored) keep working", async () => {
      const o = await org();
      const { device } = await makeDevice(db(), o.id, "dev-old");
      const legacy = "spd_" + "L".repeat(20) + "m".repeat(20);
      await db().update(deviceTokens).set({ revokedAt: new Date() }).where(eq(deviceTokens.deviceId, device.id));
      await db().insert(deviceTokens).values({ orgId: o.id, deviceId: device.id, tokenHash: hashDeviceToken(legacy), prefix: legacy.slice(0, 10) });
      const res = await callDeviceRoute(postStatus, "dev-old", { token: legacy, body: { status: "online" } });
      expect(res.status).toBe(200);
      expect(res.json).toMatchObject({ status: "online", changed: true });
    });

    it("413 over 16 KB, by Content-Length and by the bytes actually sent", async () => {
      const o = await org();
      const { device, token } = await makeDevice(db(), o.id);
      const big = JSON.stringify({ signals: { blob: "x".repeat(17_000) } });
      const declared = await callDeviceRoute(postStatus, device.udid, { token, raw: big, headers: { "content-length": String(big.length) } });
      expect(declared.status).toBe(413);
      expect(declared.json.error).toEqual({ code: "payload_too_large", message: "The body is larger than 16 KB." });
      // a body that lies about its size (or is chunked) is cut off at 16 KB
      const stream = new ReadableStream({
        start(c) {
          c.enqueue(new TextEncoder().encode(big));
          c.close();
        },
      });
      const req = new Request(`http://localhost/api/v1/devices/${device.udid}/status`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: stream,
        duplex: "half",
      } as RequestInit);
      const res = await postStatus(req, { params: Promise.resolve({ udid: device.udid }) });
      expect(res.status).toBe(413);
      expect((await deviceRow(device.id)).lastSeenAt).toBeNull();
    });

    it("415 for a body that is not JSON", async () => {
      const o = await org();
      const { device, token } = await makeDevice(db(), o.id);
      const res = await callDeviceRoute(postStatus, device.udid, { token, raw: "status=online", headers: { "content-type": "application/x-www-form-urlencoded" } });
      expect(res.status).toBe(415);
      expect(res.json.error).toEqual({ code: "unsupported_media_type", message: "Send the body as JSON with Content-Type: application/json." });
    });

    describe("rate limit", () => {
      const saved = { ...process.env };
      beforeEach(() => {
        process.env.DEVICE_RATE_PER_SECOND = "1";
        process.env.DEVICE_RATE_BURST = "3";
        resetDeviceRateLimits();
      });
      afterEach(() => {
        process.env.DEVICE_RATE_PER_SECOND = saved.DEVICE_RATE_PER_SECOND;
        process.env.DEVICE_RATE_BURST = saved.DEVICE_RATE_BURST;
        if (saved.DEVICE_RATE_PER_SECOND === undefined) delete process.env.DEVICE_RATE_PER_SECOND;
        if (saved.DEVICE_RATE_BURST === undefined) delete process.env.DEVICE_RATE_BURST;
        resetDeviceRateLimits();
      });

      it("429 with Retry-After over the per-device rate, other devices unaffected", async () => {
        const o = await org();
        const a = await makeDevice(db(), o.id, "dev-a");
        const b = await makeDevice(db(), o.id, "dev-b");
        const statuses: number[] = [];
        for (let i = 0; i < 4; i++) statuses.push((await callDeviceRoute(postStatus, "dev-a", { token: a.token, body: {} })).status);
        expect(statuses).toEqual([200, 200, 200, 429]);
        const limited = await callDeviceRoute(postStatus, "dev-a", { token: a.token, body: {} });
        expect(limited.status).toBe(429);
        expect(limited.json.error!.code).toBe("rate_limited");
        expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
        expect((await callDeviceRoute(postStatus, "dev-b", { token: b.token, body: {} })).status).toBe(200);
      });
    });

    it("503 JSON with Retry-After when the database is unreachable", async () => {
      const o = await org();
      const { device, token } = await makeDevice(db(), o.id);
      const real = await getDatabase();
      const dead = await openDatabase("postgres://root@127.0.0.1:1/nowhere");
      setProcessDatabase(dead);
      try {
        const res = await callDeviceRoute(postStatus, device.udid, { token, body: { status: "online" } });
        expect(res.status).toBe(503);
        expect(res.json.error!.code).toBe("unavailable");
        expect(res.headers.get("retry-after")).toBe("5");
      } finally {
        setProcessDatabase(real);
        await dead.close();
      }
    });
  });

  it("tenancy: org A's token never touches org B's device with the same UDID", async () => {
    const a = await org("org-a");
    const b = await org("org-b");
    const devA = await makeDevice(db(), a.id, "shared-udid");
    const devB = await makeDevice(db(), b.id, "shared-udid");
    const res = await callDeviceRoute(postStatus, "shared-udid", { token: devA.token, body: { status: "utilizing" } });
    expect(res.status).toBe(200);
    expect((await deviceRow(devA.device.id)).status).toBe("utilizing");
    const rowB = await deviceRow(devB.device.id);
    expect(rowB.status).toBe("offline");
    expect(rowB.lastSeenAt).toBeNull();
    const bEvents = await db().select().from(events).where(eq(events.orgId, b.id));
    expect(bEvents.map((e) => e.type)).toEqual(["device.created"]);
  });
});

describe("POST /api/v1/devices/{udid}/signals", () => {
  it("stores the signals and emits one device.telemetry event; counts as contact", async () => {
    const o = await org();
    const { device, token } = await makeDevice(db(), o.id);
    const res = await callDeviceRoute(postSignals, device.udid, { token, body: { signals: { battery: 87, gps: { lat: 1, lon: 2 } } } });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ udid: device.udid, status: "online" });
    const rows = await db().select().from(signals).where(eq(signals.deviceId, device.id));
    expect(rows).toHaveLength(2);
    const telemetry = await db().select().from(events).where(eq(events.type, "device.telemetry"));
    expect(telemetry).toHaveLength(1);
    expect(telemetry[0].payload).toEqual({ signals: { battery: 87, gps: { lat: 1, lon: 2 } } });
    expect(res.json.events).toContain(telemetry[0].id);
  });

  it("400 for more than 50 names, no signals, or a bad name", async () => {
    const o = await org();
    const { device, token } = await makeDevice(db(), o.id);
    const many = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`s${i}`, i]));
    const tooMany = await callDeviceRoute(postSignals, device.udid, { token, body: { signals: many } });
    expect(tooMany.status).toBe(400);
    expect(tooMany.json.error!.message).toBe("signals: At most 50 signals per request");
    const none = await callDeviceRoute(postSignals, device.udid, { token, body: {} });
    expect(none.status).toBe(400);
    expect(none.json.error!.fields).toHaveProperty("signals");
    const empty = await callDeviceRoute(postSignals, device.udid, { token, body: { signals: {} } });
    expect(empty.json.error!.message).toBe("signals: signals must contain at least one name");
    const badName = await callDeviceRoute(postSignals, device.udid, { token, body: { signals: { "bad name": 1 } } });
    expect(badName.status).toBe(400);
    expect(badName.json.error!.message).toBe('signals: Signal name "bad name" is invalid: use 1–64 letters, digits and _ . : / -');
    expect(await db().select().from(signals)).toHaveLength(0);
    // exactly 50 is fine
    const fifty = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`s${i}`, i]));
    expect((await callDeviceRoute(postSignals, device.udid, { token, body: { signals: fifty } })).status).toBe(200);
  });
});

describe("remembered devices (one round trip for a device this process served)", () => {
  const report = (udid: string, token: string, status: "online" | "offline" | "utilizing", now?: Date) =>
    recordDeviceContact(db(), { udid, tokenHash: hashDeviceToken(token), report: { status }, now });

  it("a change made elsewhere (another instance, the sweeper) is seen: the report applies to the stored state", async () => {
    const o = await org();
    const { device, token } = await makeDevice(db(), o.id, "rem-1");
    await report("rem-1", token, "online");
    // another instance records offline meanwhile; this process still remembers online
    await db().update(devices).set({ status: "offline" }).where(eq(devices.id, device.id));
    const again = await report("rem-1", token, "online");
    expect(again!.changed).toBe(true);
    expect((await eventTypes(device.id)).at(-1)).toBe("device.status.online");
  });

  it("a rename or new tags reach the next event's snapshot and the webhooks' tag scope", async () => {
    const o = await org();
    const { device, token } = await makeDevice(db(), o.id, "rem-2");
    const hook = await subscribeAll(db(), o.id);
    await db().update(webhooks).set({ deviceScope: "tags", deviceTags: ["lab-9"] }).where(eq(webhooks.id, hook.id));
    expect((await report("rem-2", token, "online"))!.deliveries).toBe(0);
    await db().update(devices).set({ name: "Renamed", tags: ["lab-9"] }).where(eq(devices.id, device.id));
    const r = await report("rem-2", token, "utilizing");
    expect(r!.deliveries).toBe(1);
    const [ev] = await db().select().from(events).where(eq(events.id, r!.events[0]));
    expect(ev.deviceName).toBe("Renamed");
  });

  it("a regenerated token stops the remembered one at once; a deleted device is not found", async () => {
    const o = await org();
    const { device, token } = await makeDevice(db(), o.id, "rem-3");
    await report("rem-3", token, "online");
    const fresh = await regenerateDeviceToken(db(), { orgId: o.id, userId: null }, device.id);
    expect(await report("rem-3", token, "offline")).toBeNull();
    expect(await report("rem-3", fresh.token, "offline")).not.toBeNull();
    await db().delete(devices).where(eq(devices.id, device.id));
    expect(await report("rem-3", fresh.token, "online")).toBeNull();
    expect((await deviceRow(device.id)) ?? null).toBeNull();
  });
});

describe("transactional writes", () => {
  it("a status change writes exactly the expected events and one outbox row per subscribed webhook", async () => {
    const o = await org();
    const { device, token } = await makeDevice(db(), o.id);
    await subscribeAll(db(), o.id, "hook-1");
    await subscribeAll(db(), o.id, "hook-2");
    const result = await recordDeviceContact(db(), {
      udid: device.udid,
      tokenHash: hashDeviceToken(token),
      report: { status: "online", firmwareVersion: "1.0" },
    });
    expect(result!.events).toHaveLength(2);
    expect(result!.deliveries).toBe(4);
    const rows = await db().select().from(outbox);
    expect(rows.map((r) => r.eventId).sort()).toEqual([...result!.events, ...result!.events].sort());
  });

  it("a failure midway (while writing the outbox) leaves nothing written", async () => {
    const o = await org();
    const { device, token } = await makeDevice(db(), o.id);
    await subscribeAll(db(), o.id);
    const before = await db().select({ n: sql<number>`count(*)::int` }).from(events);
    await db().execute(sql.raw(`create or replace function fail_outbox() returns trigger language plpgsql as $$
      begin raise exception 'outbox unavailable'; end $$`));
    await db().execute(sql.raw(`create trigger fail_outbox before insert on outbox for each row execute function fail_outbox()`));
    try {
      await expect(
        recordDeviceContact(db(), {
          udid: device.udid,
          tokenHash: hashDeviceToken(token),
          report: { status: "online" },
          signals: { temperature: 20 },
        }),
      ).rejects.toThrow();
    } finally {
      await db().execute(sql.raw(`drop trigger fail_outbox on outbox`));
      await db().execute(sql.raw(`drop function fail_outbox()`));
    }
    const row = await deviceRow(device.id);
    expect(row.status).toBe("offline");
    expect(row.lastSeenAt).toBeNull();
    expect(row.registeredAt).toBeNull();
    const after = await db().select({ n: sql<number>`count(*)::int` }).from(events);
    expect(after[0].n).toBe(before[0].n);
    expect(await db().select().from(signals)).toHaveLength(0);
    expect(await db().select().from(outbox)).toHaveLength(0);
  });
});

describe("concurrent reports of one device", () => {
  // PGlite has one connection, so real concurrency needs the Postgres server.
  it.skipIf(!process.env.DATABASE_URL)(
    "racing reports all apply, each on the state the previous one left (compare-and-set, then lock)",
    async () => {
      const o = await org();
      const { device, token } = await makeDevice(db(), o.id);
      await subscribeAll(db(), o.id);
      const [{ name }] = await queryRows<{ name: string }>(db(), sql`select current_database() as name`);
      const url = new URL(process.env.DATABASE_URL!);
      url.pathname = `/${name}`;
      const handles = await Promise.all(Array.from({ length: 4 }, () => openDatabase(url.toString())));
      const n = 40;
      try {
        // every report carries its own firmware version, so each applied report fires firmware.updated from the
        // version the previous one left
        const results = await Promise.all(
          Array.from({ length: n }, (_, i) =>
            recordDeviceContact(handles[i % handles.length].db, {
              udid: device.udid,
              tokenHash: hashDeviceToken(token),
              report: { status: i % 2 ? "online" : "utilizing", firmwareVersion: `v${i}` },
            }),
          ),
        );
        expect(results.every((r) => r !== null)).toBe(true);
      } finally {
        await Promise.all(handles.map((h) => h.close()));
      }
      const rows = await db().select().from(events).where(eq(events.deviceId, device.id));
      expect(rows.filter((r) => r.type === "device.registered")).toHaveLength(1);
      const updates = rows.filter((r) => r.type === "device.firmware.updated").map((r) => r.payload as { from: string; to: string });
      // one unbroken chain through all 40 versions: no two reports applied to the same state, none lost
      expect(updates).toHaveLength(n - 1);
      expect(new Set(updates.map((u) => u.from)).size).toBe(n - 1);
      expect(new Set(updates.map((u) => u.to)).size).toBe(n - 1);
      const froms = new Set(updates.map((u) => u.from));
      const last = updates.find((u) => !froms.has(u.to))!.to;
      expect((await deviceRow(device.id)).firmwareVersion).toBe(last);
      // one outbox row per event of these reports (device.created came before the webhook)
      expect(await db().select().from(outbox)).toHaveLength(rows.filter((r) => r.type !== "device.created").length);
    },
  );
});
