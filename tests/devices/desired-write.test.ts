import { and, eq, sql } from "drizzle-orm";
import { NextRequest } from "next/server";
import { describe, expect, it } from "vitest";
import { auditLog, devices, events, outbox, webhooks } from "@/db/schema";
import { GET as getDesired, PUT as putDesired } from "@/app/api/orgs/[slug]/devices/[deviceId]/desired/route";
import { POST as postBulk } from "@/app/api/orgs/[slug]/devices/desired/route";
import { GET as getList } from "@/app/api/orgs/[slug]/devices/route";
import { writeDesiredAction } from "@/lib/actions/devices";
import { MAX_DESIRED_CONFIG_BYTES } from "@/lib/validation/devices";
import { actAs } from "../support/session";
import { twoOrgs } from "../support/fixtures";
import { useTestDatabase as openTestDatabase } from "../support/db";
import { makeDevice } from "./helpers";

const db = openTestDatabase();

type Body = Record<string, unknown> & { error: { code: string } };

const req = (url: string, init?: { method?: string; body?: unknown; raw?: string }) =>
  new NextRequest(new URL(url, "http://localhost"), {
    method: init?.method ?? "GET",
    headers: { "content-type": "application/json" },
    body: init?.raw ?? (init?.body === undefined ? undefined : JSON.stringify(init.body)),
  } as never);

async function put(slug: string, deviceId: number | string, body: unknown, raw?: string) {
  const res = await putDesired(req(`/api/orgs/${slug}/devices/${deviceId}/desired`, { method: "PUT", body, raw }), {
    params: Promise.resolve({ slug, deviceId: String(deviceId) }),
  });
  return { status: res.status, json: (await res.json()) as Body };
}

async function bulk(slug: string, body: unknown) {
  const res = await postBulk(req(`/api/orgs/${slug}/devices/desired`, { method: "POST", body }), { params: Promise.resolve({ slug }) });
  return { status: res.status, json: (await res.json()) as Body };
}

async function row(id: number) {
  const [r] = await db().select().from(devices).where(eq(devices.id, id));
  return r;
}

async function eventsOf(deviceId: number, type?: string) {
  const rows = await db().select().from(events).where(eq(events.deviceId, deviceId)).orderBy(events.id);
  return rows.filter((r) => !type || r.type === type);
}

describe("desired configuration: single-device write", () => {
  it("writes version 1, emits device.config.written with version, changes and actor, audits; the same write again is a no-op", async () => {
    const { orgA, adminA } = await twoOrgs(db());
    const { device } = await makeDevice(db(), orgA.id, "dev-1");
    actAs(adminA.id);
    const res = await put("org-a", device.id, { config: { sampleRate: 30, "led.mode": "blink" } });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ matched: 1, changed: 1, version: 1, desired: { version: 1, config: { sampleRate: 30, "led.mode": "blink" }, rollout: "offline" } });
    const r = await row(device.id);
    expect(r).toMatchObject({ desiredVersion: 1, desiredConfig: { sampleRate: 30, "led.mode": "blink" }, desiredFirmware: null });
    const [ev] = await eventsOf(device.id, "device.config.written");
    expect(ev.payload).toEqual({
      version: 1,
      changes: { sampleRate: { to: 30 }, "led.mode": { to: "blink" } },
      actor: { userId: adminA.id, email: adminA.email },
    });
    const audits = await db().select().from(auditLog).where(and(eq(auditLog.orgId, orgA.id), eq(auditLog.action, "device.config.written")));
    expect(audits).toHaveLength(1);
    expect(audits[0].actorUserId).toBe(adminA.id);

    const again = await put("org-a", device.id, { config: { "led.mode": "blink", sampleRate: 30 } });
    expect(again.json).toMatchObject({ changed: 0, version: 1 });
    expect(await eventsOf(device.id, "device.config.written")).toHaveLength(1);

    const second = await put("org-a", device.id, { config: { sampleRate: 10 }, firmwareVersion: "2.1.0", baseVersion: 1 });
    expect(second.json).toMatchObject({ changed: 1, version: 2 });
    const written = await eventsOf(device.id, "device.config.written");
    expect(written[1].payload).toMatchObject({
      version: 2,
      changes: { sampleRate: { from: 30, to: 10 }, "led.mode": { from: "blink" } },
      firmware: { from: null, to: "2.1.0" },
    });
    const [requested] = await eventsOf(device.id, "device.firmware.update_requested");
    expect(requested.payload).toEqual({ version: 2, from: null, target: "2.1.0" });
  });

  it("a write on top of a version someone else wrote meanwhile is refused (409) and changes nothing", async () => {
    const { orgA, adminA } = await twoOrgs(db());
    const { device } = await makeDevice(db(), orgA.id, "dev-1");
    actAs(adminA.id);
    await put("org-a", device.id, { config: { a: 1 } });
    const stale = await put("org-a", device.id, { config: { a: 2 }, baseVersion: 0 });
    expect(stale.status).toBe(409);
    expect((await row(device.id)).desiredConfig).toEqual({ a: 1 });
  });

  it.each([
    ["an array", { config: [1, 2] }],
    ["a string", { config: "a=1" }],
    ["null", { config: null }],
    ["missing", {}],
    ["a bad name", { config: { "bad name!": 1 } }],
    ["an empty name", { config: { "": 1 } }],
    ["a name over 64 characters", { config: { ["x".repeat(65)]: 1 } }],
    ["over 16 KB", { config: { blob: "x".repeat(MAX_DESIRED_CONFIG_BYTES) } }],
    ["a __proto__ name (JSON.parse keeps it as an own key)", JSON.parse('{"config": {"__proto__": {"polluted": true}, "a": 1}}')],
    ["201 names", { config: Object.fromEntries(Array.from({ length: 201 }, (_, i) => [`k${i}`, i])) }],
    ["a bad firmware version", { config: {}, firmwareVersion: "2.1 beta" }],
    ["a firmware version that is not a string", { config: {}, firmwareVersion: 2 }],
  ])("bad input (%s) → 400 and nothing changed", async (_name, body) => {
    const { orgA, adminA } = await twoOrgs(db());
    const { device } = await makeDevice(db(), orgA.id, "dev-1");
    actAs(adminA.id);
    const res = await put("org-a", device.id, body);
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe("invalid_request");
    const r = await row(device.id);
    expect(r.desiredVersion).toBe(0);
    expect(r.desiredConfig).toBeNull();
    expect(await eventsOf(device.id, "device.config.written")).toHaveLength(0);
  });

  it("a body that is not a JSON object → 400", async () => {
    const { orgA, adminA } = await twoOrgs(db());
    const { device } = await makeDevice(db(), orgA.id, "dev-1");
    actAs(adminA.id);
    expect((await put("org-a", device.id, undefined, "[1]")).status).toBe(400);
    expect((await put("org-a", device.id, undefined, "{nope")).status).toBe(400);
    expect((await row(device.id)).desiredVersion).toBe(0);
  });
});

describe("desired configuration: tenancy and roles", () => {
  it("org B cannot write org A's device by id (404), a member of A cannot write (403), both can read only their own", async () => {
    const { orgA, memberA, ownerB } = await twoOrgs(db());
    const { device } = await makeDevice(db(), orgA.id, "dev-1", { tags: "lab" });
    actAs(ownerB.id);
    expect((await put("org-b", device.id, { config: { a: 1 } })).status).toBe(404);
    expect((await put("org-a", device.id, { config: { a: 1 } })).status).toBe(404);
    const bRead = await getDesired(req(`/api/orgs/org-b/devices/${device.id}/desired`), { params: Promise.resolve({ slug: "org-b", deviceId: String(device.id) }) });
    expect(bRead.status).toBe(404);
    actAs(memberA.id);
    expect((await put("org-a", device.id, { config: { a: 1 } })).status).toBe(403);
    const state = await writeDesiredAction(null, { orgSlug: "org-a", deviceId: device.id, config: { a: 1 } });
    expect(state?.ok).toBe(false);
    const read = await getDesired(req(`/api/orgs/org-a/devices/${device.id}/desired`), { params: Promise.resolve({ slug: "org-a", deviceId: String(device.id) }) });
    expect(read.status).toBe(200);
    expect((await row(device.id)).desiredVersion).toBe(0);
  });

  it("org B's bulk write by a tag that org A uses touches none of org A's devices", async () => {
    const { orgA, orgB, ownerB } = await twoOrgs(db());
    const { device: a } = await makeDevice(db(), orgA.id, "dev-a", { tags: "lab" });
    const { device: b } = await makeDevice(db(), orgB.id, "dev-b", { tags: "lab" });
    actAs(ownerB.id);
    const preview = await bulk("org-b", { tag: "lab", set: { a: 1 }, preview: true });
    expect(preview.json).toEqual({ matched: 1, changing: 1 });
    const res = await bulk("org-b", { tag: "lab", set: { a: 1 } });
    expect(res.json).toMatchObject({ matched: 1, changed: 1 });
    expect((await row(a.id)).desiredVersion).toBe(0);
    expect((await row(b.id)).desiredVersion).toBe(1);
    // and org B cannot address org A's slug at all
    expect((await bulk("org-a", { tag: "lab", set: { a: 2 } })).status).toBe(404);
    expect((await row(a.id)).desiredVersion).toBe(0);
  });
});

describe("desired configuration: bulk write by tag", () => {
  it("merges into each device's config, previews how many change, writes in one go with one audit entry", async () => {
    const { orgA, ownerA } = await twoOrgs(db());
    actAs(ownerA.id);
    const { device: d1 } = await makeDevice(db(), orgA.id, "d1", { tags: "lab" });
    const { device: d2 } = await makeDevice(db(), orgA.id, "d2", { tags: "lab, eu" });
    const { device: d3 } = await makeDevice(db(), orgA.id, "d3", { tags: "eu" });
    await put("org-a", d1.id, { config: { keep: true, old: 1, rate: 5 } });
    await put("org-a", d2.id, { config: { rate: 5 } });

    const bad = await bulk("org-a", { tag: "lab" });
    expect(bad.status).toBe(400);
    expect((await bulk("org-a", { tag: "lab", set: { "no spaces": 1 } })).status).toBe(400);
    expect((await bulk("org-a", { tag: "lab", remove: ["no spaces"] })).status).toBe(400);
    expect((await bulk("org-a", { tag: "lab", set: [1] })).status).toBe(400);
    expect((await bulk("org-a", JSON.parse('{"tag": "lab", "set": {"__proto__": {"x": 1}, "a": 1}}'))).status).toBe(400);
    expect((await bulk("org-a", { tag: "lab", set: { a: 1 }, firmware: "set" })).status).toBe(400);
    expect((await bulk("org-a", { tag: "bad tag!", set: { a: 1 } })).status).toBe(400);

    // d2 already has rate 5: only d1 changes when old is removed
    expect((await bulk("org-a", { tag: "lab", set: { rate: 5 }, remove: ["old"], preview: true })).json).toEqual({ matched: 2, changing: 1 });
    expect((await bulk("org-a", { tag: "lab", set: { rate: 10 }, remove: ["old"], firmware: "set", firmwareVersion: "3.0.0", preview: true })).json).toEqual({
      matched: 2,
      changing: 2,
    });
    const res = await bulk("org-a", { tag: "lab", set: { rate: 10 }, remove: ["old"], firmware: "set", firmwareVersion: "3.0.0" });
    expect(res.json).toMatchObject({ matched: 2, changed: 2 });
    expect(await row(d1.id)).toMatchObject({ desiredVersion: 2, desiredConfig: { keep: true, rate: 10 }, desiredFirmware: "3.0.0" });
    expect(await row(d2.id)).toMatchObject({ desiredVersion: 2, desiredConfig: { rate: 10 }, desiredFirmware: "3.0.0" });
    expect((await row(d3.id)).desiredVersion).toBe(0);
    const [w] = (await eventsOf(d1.id, "device.config.written")).slice(-1);
    expect(w.payload).toMatchObject({ version: 2, changes: { rate: { from: 5, to: 10 }, old: { from: 1 } }, firmware: { from: null, to: "3.0.0" } });
    expect(await eventsOf(d2.id, "device.firmware.update_requested")).toHaveLength(1);
    const audits = await db().select().from(auditLog).where(eq(auditLog.action, "device.config.bulk_written"));
    expect(audits).toHaveLength(1);
    expect(audits[0].summary).toBe("Wrote configuration to 2 devices tagged lab");

    // clearing the firmware target: a new version, no update_requested
    await bulk("org-a", { tag: "lab", firmware: "clear" });
    expect(await row(d1.id)).toMatchObject({ desiredVersion: 3, desiredFirmware: null });
    expect(await eventsOf(d1.id, "device.firmware.update_requested")).toHaveLength(1);
  });

  it("bulk events reach only the webhooks whose device scope covers each device (tags, selected, all)", async () => {
    const { orgA, orgB, ownerA } = await twoOrgs(db());
    actAs(ownerA.id);
    const { device: d1 } = await makeDevice(db(), orgA.id, "d1", { tags: "lab" });
    const { device: d2 } = await makeDevice(db(), orgA.id, "d2", { tags: "lab, eu" });
    const hook = (name: string, extra: Partial<typeof webhooks.$inferInsert>, orgId = orgA.id) =>
      db()
        .insert(webhooks)
        .values({ orgId, name, url: "http://127.0.0.1:9/h", events: ["device.config.written"], ...extra })
        .returning()
        .then((r) => r[0]);
    const eu = await hook("eu", { deviceScope: "tags", deviceTags: ["eu"] });
    const one = await hook("one", { deviceScope: "selected", deviceIds: [d1.id] });
    const all = await hook("all", {});
    const off = await hook("off", { enabled: false });
    const fw = await hook("fw", { events: ["device.firmware.update_requested"] });
    const otherOrg = await hook("b", {}, orgB.id);
    const res = await bulk("org-a", { tag: "lab", set: { a: 1 } });
    expect(res.json).toMatchObject({ changed: 2, deliveries: 4 });
    const rows = await db().select({ webhookId: outbox.webhookId, deviceId: events.deviceId }).from(outbox).innerJoin(events, eq(events.id, outbox.eventId));
    const got = rows.map((r) => `${r.webhookId}:${r.deviceId}`).sort();
    expect(got).toEqual([`${eu.id}:${d2.id}`, `${one.id}:${d1.id}`, `${all.id}:${d1.id}`, `${all.id}:${d2.id}`].sort());
    for (const h of [off, fw, otherOrg]) expect(got.some((g) => g.startsWith(`${h.id}:`))).toBe(false);
  });

  it("removing names from devices that never had a config changes nothing (no empty version 1)", async () => {
    const { orgA, ownerA } = await twoOrgs(db());
    actAs(ownerA.id);
    const { device } = await makeDevice(db(), orgA.id, "d1", { tags: "lab" });
    expect((await bulk("org-a", { tag: "lab", remove: ["a"], preview: true })).json).toEqual({ matched: 1, changing: 0 });
    expect((await bulk("org-a", { tag: "lab", remove: ["a"] })).json).toMatchObject({ matched: 1, changed: 0 });
    expect((await row(device.id)).desiredVersion).toBe(0);
    expect(await db().select().from(auditLog).where(eq(auditLog.action, "device.config.bulk_written"))).toHaveLength(0);
    // but saving an empty config on the device page is a write the device must see
    expect((await put("org-a", device.id, { config: {} })).json).toMatchObject({ changed: 1, version: 1 });
  });

  it("device list filters: config pending / config failed", async () => {
    const { orgA, ownerA } = await twoOrgs(db());
    actAs(ownerA.id);
    const { device: d1 } = await makeDevice(db(), orgA.id, "d1", { tags: "lab" });
    const { device: d2 } = await makeDevice(db(), orgA.id, "d2", { tags: "lab" });
    await makeDevice(db(), orgA.id, "d3", { tags: "lab" });
    await bulk("org-a", { tag: "lab", set: { a: 1 } });
    // d1 applied, d2 failed, d3 pending (never acked)
    await db().execute(sql`update devices set reported_version = 1, reported_status = 'applied' where id = ${d1.id}`);
    await db().execute(sql`update devices set reported_version = 1, reported_status = 'failed' where id = ${d2.id}`);
    const list = async (config: string) =>
      ((await (await getList(req(`/api/orgs/org-a/devices?config=${config}`), { params: Promise.resolve({ slug: "org-a" }) })).json()) as {
        devices: { udid: string }[];
      }).devices.map((d) => d.udid);
    expect(await list("pending")).toEqual(["d2", "d3"]);
    const states = ((await (await getList(req("/api/orgs/org-a/devices"), { params: Promise.resolve({ slug: "org-a" }) })).json()) as {
      devices: { udid: string; configState: string | null }[];
    }).devices.map((d) => `${d.udid}:${d.configState}`);
    expect(states).toEqual(["d1:null", "d2:failed", "d3:pending"]);
    expect(await list("failed")).toEqual(["d2"]);
  });
});
