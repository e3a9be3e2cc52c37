import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog, devices, deviceTokens, events } from "@/db/schema";
import { GET as getList, POST as postCreate } from "@/app/api/orgs/[slug]/devices/route";
import { GET as getDetail } from "@/app/api/orgs/[slug]/devices/[deviceId]/route";
import { POST as postToken } from "@/app/api/orgs/[slug]/devices/[deviceId]/token/route";
import { POST as postStatus } from "@/app/api/v1/devices/[udid]/status/route";
import {
  createDeviceAction,
  deleteDeviceAction,
  regenerateTokenAction,
  updateDeviceAction,
  type CreatedDevice,
  type RegeneratedToken,
} from "@/lib/actions/devices";
import { NextRequest } from "next/server";
import { actAs } from "../support/session";
import { twoOrgs } from "../support/fixtures";
import { useTestDatabase as openTestDatabase } from "../support/db";
import { callDeviceRoute } from "./helpers";

const db = openTestDatabase();

function form(values: Record<string, string>) {
  const fd = new FormData();
  for (const [k, v] of Object.entries(values)) fd.append(k, v);
  return fd;
}

/** Server actions redirect by throwing; this returns the redirect target (or the state). */
async function run<T>(p: Promise<T>): Promise<T | { redirect: string }> {
  try {
    return await p;
  } catch (err) {
    const digest = (err as { digest?: string }).digest;
    if (digest?.startsWith("NEXT_REDIRECT")) return { redirect: digest.split(";")[2] };
    throw err;
  }
}

async function addDevice(slug: string, values: Record<string, string> = {}) {
  const state = await createDeviceAction(null, form({ orgSlug: slug, udid: "dev-1", name: "Pixel 8", tags: "lab, eu", offlineAfterSeconds: "120", ...values }));
  return state!;
}

describe("device actions", () => {
  it("an admin adds a device: token shown once, stored hashed, event and audit written", async () => {
    const { orgA, adminA } = await twoOrgs(db());
    actAs(adminA.id);
    const state = await addDevice("org-a");
    expect(state.ok).toBe(true);
    const created = state.data as CreatedDevice;
    expect(created.token).toMatch(/^spd_[0-9A-Za-z]{52}$/);
    const [device] = await db().select().from(devices).where(eq(devices.id, created.deviceId));
    expect(device).toMatchObject({ orgId: orgA.id, udid: "dev-1", name: "Pixel 8", tags: ["lab", "eu"], offlineAfterSeconds: 120, status: "offline" });
    const [token] = await db().select().from(deviceTokens).where(eq(deviceTokens.deviceId, device.id));
    expect(token.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(token.tokenHash).not.toContain(created.token.slice(4));
    expect(created.token.startsWith(token.prefix)).toBe(true);
    const [ev] = await db().select().from(events).where(eq(events.deviceId, device.id));
    expect(ev.type).toBe("device.created");
    const audit = await db().select().from(auditLog).where(eq(auditLog.orgId, orgA.id));
    expect(audit.map((a) => [a.action, a.actorUserId])).toEqual([["device.created", adminA.id]]);
    // the token works against the status API
    expect((await callDeviceRoute(postStatus, "dev-1", { token: created.token, body: {} })).status).toBe(200);
  });

  it("validation errors name each field and keep what was typed", async () => {
    const { ownerA } = await twoOrgs(db());
    actAs(ownerA.id);
    const state = await addDevice("org-a", { udid: "bad udid!", name: "x".repeat(101), offlineAfterSeconds: "10", tags: "ok, not ok" });
    expect(state.ok).toBe(false);
    expect(state.errors).toMatchObject({
      udid: ["UDID may only contain letters, digits and . _ : -"],
      name: ["Name must be at most 100 characters"],
      offlineAfterSeconds: ["Offline after must be at least 30 seconds"],
    });
    expect(state.errors!.tags![0]).toContain("Tags may only contain");
    expect(state.values).toMatchObject({ udid: "bad udid!", offlineAfterSeconds: "10" });
    const tooLong = await addDevice("org-a", { udid: "u".repeat(65), offlineAfterSeconds: "86401" });
    expect(tooLong.errors).toMatchObject({
      udid: ["UDID must be at most 64 characters"],
      offlineAfterSeconds: ["Offline after must be at most 86400 seconds (24 hours)"],
    });
    const empty = await addDevice("org-a", { udid: "" });
    expect(empty.errors!.udid).toEqual(["UDID is required"]);
    expect(await db().select().from(devices)).toHaveLength(0);
  });

  it("defaults: offline after 300 s, name = UDID; a duplicate UDID in the org is refused on the field", async () => {
    const { ownerA, ownerB } = await twoOrgs(db());
    actAs(ownerA.id);
    const ok = await addDevice("org-a", { name: "", offlineAfterSeconds: "" });
    expect(ok.ok).toBe(true);
    const [d] = await db().select().from(devices);
    expect(d).toMatchObject({ name: "dev-1", offlineAfterSeconds: 300 });
    const dup = await addDevice("org-a");
    expect(dup.ok).toBe(false);
    expect(dup.errors).toEqual({ udid: ["A device with this UDID already exists in this organization."] });
    // the same UDID in another org is fine
    actAs(ownerB.id);
    expect((await addDevice("org-b")).ok).toBe(true);
  });

  it("edits emit device.updated with the changes and move the presence deadline", async () => {
    const { ownerA } = await twoOrgs(db());
    actAs(ownerA.id);
    const created = (await addDevice("org-a")).data as CreatedDevice;
    await callDeviceRoute(postStatus, "dev-1", { token: created.token, body: {} });
    const result = await run(
      updateDeviceAction(null, form({ orgSlug: "org-a", deviceId: String(created.deviceId), name: "Pixel 8 Pro", tags: "lab", offlineAfterSeconds: "600" })),
    );
    expect(result).toEqual({ redirect: `/orgs/org-a/devices/${created.deviceId}` });
    const [d] = await db().select().from(devices).where(eq(devices.id, created.deviceId));
    expect(d).toMatchObject({ name: "Pixel 8 Pro", tags: ["lab"], offlineAfterSeconds: 600 });
    expect(d.presenceDeadline!.getTime() - d.lastSeenAt!.getTime()).toBe(600_000);
    const [ev] = await db().select().from(events).where(and(eq(events.deviceId, d.id), eq(events.type, "device.updated")));
    expect(ev.payload).toEqual({
      changes: {
        name: { from: "Pixel 8", to: "Pixel 8 Pro" },
        tags: { from: ["lab", "eu"], to: ["lab"] },
        offlineAfterSeconds: { from: 120, to: 600 },
      },
    });
    expect((await db().select().from(auditLog)).map((a) => a.action)).toEqual(["device.created", "device.updated"]);
  });

  it("regenerating the token stops the old one at once and is audited", async () => {
    const { ownerA } = await twoOrgs(db());
    actAs(ownerA.id);
    const created = (await addDevice("org-a")).data as CreatedDevice;
    const state = await regenerateTokenAction(null, form({ orgSlug: "org-a", deviceId: String(created.deviceId) }));
    const fresh = state!.data as RegeneratedToken;
    expect(fresh.token).not.toBe(created.token);
    expect((await callDeviceRoute(postStatus, "dev-1", { token: created.token, body: {} })).status).toBe(401);
    expect((await callDeviceRoute(postStatus, "dev-1", { token: fresh.token, body: {} })).status).toBe(200);
    expect((await db().select().from(auditLog)).map((a) => a.action)).toContain("device.token_regenerated");
  });

  it("delete emits device.deleted, keeps the event log, audits and redirects to the list", async () => {
    const { ownerA } = await twoOrgs(db());
    actAs(ownerA.id);
    const created = (await addDevice("org-a")).data as CreatedDevice;
    const result = await run(deleteDeviceAction(null, form({ orgSlug: "org-a", deviceId: String(created.deviceId) })));
    expect(result).toEqual({ redirect: "/orgs/org-a/devices" });
    expect(await db().select().from(devices)).toHaveLength(0);
    expect(await db().select().from(deviceTokens)).toHaveLength(0);
    const types = (await db().select().from(events)).map((e) => e.type);
    expect(types).toEqual(["device.created", "device.deleted"]);
    expect((await db().select().from(auditLog)).map((a) => a.action)).toEqual(["device.created", "device.deleted"]);
    expect((await callDeviceRoute(postStatus, "dev-1", { token: created.token, body: {} })).status).toBe(401);
  });

  it("tenancy: org B's owner and org A's member cannot write org A's devices", async () => {
    const { ownerA, memberA, ownerB } = await twoOrgs(db());
    actAs(ownerA.id);
    const created = (await addDevice("org-a")).data as CreatedDevice;
    const id = String(created.deviceId);

    for (const [user, message] of [
      [memberA, "You do not have permission to do that. Ask an owner or admin of this organization."],
      [ownerB, "Organization not found."],
    ] as const) {
      actAs(user.id);
      expect(await addDevice("org-a", { udid: "dev-2" })).toEqual({ ok: false, message });
      expect(await updateDeviceAction(null, form({ orgSlug: "org-a", deviceId: id, name: "hacked", tags: "", offlineAfterSeconds: "300" }))).toEqual({ ok: false, message });
      expect(await deleteDeviceAction(null, form({ orgSlug: "org-a", deviceId: id }))).toEqual({ ok: false, message });
      expect(await regenerateTokenAction(null, form({ orgSlug: "org-a", deviceId: id }))).toEqual({ ok: false, message });
    }
    // org B's owner naming org A's device id under their own org finds nothing
    actAs(ownerB.id);
    const cross = await updateDeviceAction(null, form({ orgSlug: "org-b", deviceId: id, name: "hacked", tags: "", offlineAfterSeconds: "300" }));
    expect(cross).toMatchObject({ ok: false, message: "That device does not exist (it may have been deleted)." });
    expect((await deleteDeviceAction(null, form({ orgSlug: "org-b", deviceId: id })))!.ok).toBe(false);
    expect((await regenerateTokenAction(null, form({ orgSlug: "org-b", deviceId: id })))!.ok).toBe(false);
    const [d] = await db().select().from(devices);
    expect(d.name).toBe("Pixel 8");
    expect((await callDeviceRoute(postStatus, "dev-1", { token: created.token, body: {} })).status).toBe(200);
    actAs(null);
    expect(await addDevice("org-a", { udid: "dev-3" })).toEqual({ ok: false, message: "Please sign in." });
  });
});

describe("session JSON routes", () => {
  const req = (url: string, init?: RequestInit) => new NextRequest(new URL(url, "http://localhost"), init as never);
  const params = <P,>(p: P) => ({ params: Promise.resolve(p) });

  it("lists, filters, searches and paginates an org's devices; members may read", async () => {
    const { ownerA, memberA, ownerB } = await twoOrgs(db());
    actAs(ownerA.id);
    for (let i = 0; i < 7; i++) {
      await addDevice("org-a", { udid: `dev-${i}`, name: `Device ${i}`, tags: i % 2 ? "odd" : "even" });
    }
    actAs(memberA.id);
    const page1 = await (await getList(req("/api/orgs/org-a/devices?limit=3&counts=1"), params({ slug: "org-a" }))).json();
    expect(page1.devices.map((d: { udid: string }) => d.udid)).toEqual(["dev-0", "dev-1", "dev-2"]);
    // devices that never reported count as "Never connected", not "Offline"
    expect(page1).toMatchObject({ total: 7, totalCapped: false, counts: { offline: 0, never_connected: 7, online: 0 } });
    const page3 = await (await getList(req(`/api/orgs/org-a/devices?limit=3&after=${(await (await getList(req(`/api/orgs/org-a/devices?limit=3&after=${page1.nextCursor}`), params({ slug: "org-a" }))).json()).nextCursor}`), params({ slug: "org-a" }))).json();
    expect(page3.devices.map((d: { udid: string }) => d.udid)).toEqual(["dev-6"]);
    expect(page3.nextCursor).toBeNull();
    const odd = await (await getList(req("/api/orgs/org-a/devices?tag=odd"), params({ slug: "org-a" }))).json();
    expect(odd.devices).toHaveLength(3);
    const search = await (await getList(req("/api/orgs/org-a/devices?q=DEVICE%205"), params({ slug: "org-a" }))).json();
    expect(search.devices.map((d: { udid: string }) => d.udid)).toEqual(["dev-5"]);
    const online = await (await getList(req("/api/orgs/org-a/devices?status=online"), params({ slug: "org-a" }))).json();
    expect(online.devices).toHaveLength(0);
    const never = await (await getList(req("/api/orgs/org-a/devices?status=never_connected"), params({ slug: "org-a" }))).json();
    expect(never.total).toBe(7);
    const offline = await (await getList(req("/api/orgs/org-a/devices?status=offline"), params({ slug: "org-a" }))).json();
    expect(offline.total).toBe(0);
    // another org sees nothing of it
    actAs(ownerB.id);
    const refused = await getList(req("/api/orgs/org-a/devices"), params({ slug: "org-a" }));
    expect(refused.status).toBe(404);
    expect((await (await getList(req("/api/orgs/org-b/devices"), params({ slug: "org-b" }))).json()).devices).toEqual([]);
  });

  it("device detail and token regeneration are scoped to the org and need device.modify to write", async () => {
    const { ownerA, memberA, ownerB } = await twoOrgs(db());
    actAs(ownerA.id);
    const created = (await addDevice("org-a")).data as CreatedDevice;
    await callDeviceRoute(postStatus, "dev-1", { token: created.token, body: { status: "online", signals: { battery: 50 } } });
    const id = String(created.deviceId);
    const detail = await (await getDetail(req(`/api/orgs/org-a/devices/${id}`), params({ slug: "org-a", deviceId: id }))).json();
    expect(detail.device).toMatchObject({ udid: "dev-1", status: "online" });
    expect(detail.events.map((e: { type: string }) => e.type)).toEqual(["device.telemetry", "device.status.online", "device.registered", "device.created"]);
    expect(detail.signals).toEqual([expect.objectContaining({ name: "battery", value: 50 })]);
    expect(detail.token.prefix).toBe(created.token.slice(0, 10));

    actAs(ownerB.id);
    expect((await getDetail(req(`/api/orgs/org-b/devices/${id}`), params({ slug: "org-b", deviceId: id }))).status).toBe(404);
    expect((await postToken(req(`/api/orgs/org-b/devices/${id}/token`, { method: "POST" }), params({ slug: "org-b", deviceId: id }))).status).toBe(404);
    actAs(memberA.id);
    const forbidden = await postToken(req(`/api/orgs/org-a/devices/${id}/token`, { method: "POST" }), params({ slug: "org-a", deviceId: id }));
    expect(forbidden.status).toBe(403);
    const createRefused = await postCreate(
      req("/api/orgs/org-a/devices", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ udid: "x" }) }),
      params({ slug: "org-a" }),
    );
    expect(createRefused.status).toBe(403);

    actAs(ownerA.id);
    const created2 = await postCreate(
      req("/api/orgs/org-a/devices", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ udid: "sim-001", tags: ["sim"] }) }),
      params({ slug: "org-a" }),
    );
    expect(created2.status).toBe(201);
    const body2 = await created2.json();
    expect(body2.device).toMatchObject({ udid: "sim-001", name: "sim-001", tags: ["sim"] });
    expect(body2.token).toMatch(/^spd_/);
    const dup = await postCreate(
      req("/api/orgs/org-a/devices", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ udid: "sim-001" }) }),
      params({ slug: "org-a" }),
    );
    expect(dup.status).toBe(409);
    const bad = await postCreate(
      req("/api/orgs/org-a/devices", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ udid: "a b" }) }),
      params({ slug: "org-a" }),
    );
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.fields.udid).toBeDefined();
    const regen = await postToken(req(`/api/orgs/org-a/devices/${id}/token`, { method: "POST" }), params({ slug: "org-a", deviceId: id }));
    const { token } = await regen.json();
    expect((await callDeviceRoute(postStatus, "dev-1", { token: created.token, body: {} })).status).toBe(401);
    expect((await callDeviceRoute(postStatus, "dev-1", { token, body: {} })).status).toBe(200);
  });
});
