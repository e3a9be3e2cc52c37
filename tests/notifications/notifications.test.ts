import { and, eq, sql } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { queryRows } from "@/db/client";
import { emailOutbox, memberships, notificationItems, notificationPrefs } from "@/db/schema";
import { saveMyNotificationsAction } from "@/lib/actions/notifications";
import { processEmailOutbox } from "@/lib/email/pass";
import { DIGEST_LIST_MAX, processNotifications } from "@/lib/notifications/pass";
import { useTestDatabase } from "../support/db";
import { twoOrgs } from "../support/fixtures";
import { actAs } from "../support/session";
import { useTestSmtp } from "../support/test-smtp";
import { emitFor, header, insertDevices, toOf, unsubscribeUrlOf, type DeviceRow, savePrefs } from "./helpers";

const db = useTestDatabase();
let t: Awaited<ReturnType<typeof twoOrgs>>;
const smtp = useTestSmtp();
let lab: DeviceRow[];
let other: DeviceRow[];

beforeEach(async () => {
  t = await twoOrgs(db());
  lab = await insertDevices(db(), t.orgA.id, 2, ["lab"], "lab");
  other = await insertDevices(db(), t.orgA.id, 2, ["eu"], "eu");
  actAs(null);
});

type Prefs = Record<string, unknown>;
function save(userId: number, prefs: Prefs, orgSlug = t.orgA.slug) {
  return savePrefs(userId, orgSlug, prefs);
}

/** The tick's two steps that matter here: notifications → email outbox → SMTP. */
async function deliver(now: Date) {
  const queued = await processNotifications(db(), now);
  await processEmailOutbox({ db: db(), now, budgetMs: 5_000 });
  return queued;
}

const minutes = (base: Date, m: number) => new Date(base.getTime() + m * 60_000);

describe("My notifications: each event", () => {
  it("emails a read-only member who chose the event, with one-click unsubscribe headers and links back", async () => {
    expect(await save(t.memberA.id, { events: ["device.status.offline"], deviceScope: "all", mode: "each" })).toMatchObject({ ok: true });
    const now = new Date();
    await emitFor(db(), t.orgA.id, [lab[0]], now);
    await emitFor(db(), t.orgA.id, [lab[1]], now, "device.status.online"); // not chosen
    expect(await deliver(now)).toBe(1);
    expect(smtp.messages).toHaveLength(1);
    const m = smtp.messages[0];
    expect(toOf(m)).toEqual([t.memberA.email]);
    expect(m.subject).toBe("lab 0: Offline");
    expect(m.text).toContain("lab 0 (lab-0000)");
    expect(m.text).toContain(`https://portal.example.test/orgs/org-a/devices/${lab[0].id}`);
    expect(m.text).toContain("https://portal.example.test/orgs/org-a/settings/notifications");
    const unsub = unsubscribeUrlOf(m)!;
    expect(unsub).toMatch(/^https:\/\/portal\.example\.test\/unsubscribe\/u1\./);
    expect(header(m, "List-Unsubscribe-Post")).toBe("List-Unsubscribe=One-Click");
    // the footer link in both parts
    expect(m.text).toContain(unsub);
    expect(m.html).toContain(unsub);
    // nothing for members who chose nothing (owner, admin), nothing waiting
    expect(await db().select().from(notificationItems)).toHaveLength(0);
    expect(await deliver(minutes(now, 1))).toBe(0);
  });

  it("an org-level event (API key) reaches a member who chose it with 'all devices' only", async () => {
    await save(t.memberA.id, { events: ["api_key.created"], deviceScope: "all" });
    await save(t.adminA.id, { events: ["api_key.created"], deviceScope: "tags", deviceTags: ["lab"] });
    await db().transaction(async (tx) => {
      const { emitEvents } = await import("@/lib/delivery/emit");
      await emitEvents(tx, t.orgA.id, [{ type: "api_key.created", data: { id: 1, name: "CI" } }]);
    });
    await deliver(new Date());
    expect(smtp.messages.flatMap(toOf)).toEqual([t.memberA.email]);
    expect(smtp.messages[0].text).toContain("https://portal.example.test/orgs/org-a/events");
  });
});

describe("My notifications: scope", () => {
  it("tags and selected devices filter which events reach whom", async () => {
    await save(t.memberA.id, { events: ["device.status.offline"], deviceScope: "tags", deviceTags: ["lab"] });
    await save(t.adminA.id, { events: ["device.status.offline"], deviceScope: "selected", deviceIds: [other[1].id] });
    const now = new Date();
    await emitFor(db(), t.orgA.id, [...lab, ...other], now);
    await deliver(now);
    const by = (email: string) => smtp.messages.filter((m) => toOf(m).includes(email)).map((m) => m.subject).sort();
    expect(by(t.memberA.email)).toEqual(["lab 0: Offline", "lab 1: Offline"]);
    expect(by(t.adminA.email)).toEqual(["eu 1: Offline"]);
    expect(by(t.ownerA.email)).toEqual([]);
  });

  it("refuses another org's devices as 'selected'", async () => {
    const [bDevice] = await insertDevices(db(), t.orgB.id, 1, [], "b");
    const r = await save(t.memberA.id, { events: ["device.status.offline"], deviceScope: "selected", deviceIds: [bDevice.id] });
    expect(r.ok).toBe(false);
    expect(r.errors?.deviceIds?.[0]).toMatch(/this organization/);
    expect(await db().select().from(notificationPrefs)).toHaveLength(0);
  });
});

describe("My notifications: bulk writes (the JSON event path)", () => {
  it("a bulk desired-config write by tag notifies members whose scope covers the devices", async () => {
    await save(t.memberA.id, { events: ["device.config.written"], deviceScope: "tags", deviceTags: ["lab"] });
    await save(t.adminA.id, { events: ["device.config.written"], deviceScope: "selected", deviceIds: [other[0].id] });
    const { NextRequest } = await import("next/server");
    const { POST } = await import("@/app/api/orgs/[slug]/devices/desired/route");
    actAs(t.adminA.id);
    const res = await POST(
      new NextRequest(new URL("/api/orgs/org-a/devices/desired", "http://localhost"), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ tag: "lab", set: { sampleRate: 10 } }),
      } as never),
      { params: Promise.resolve({ slug: "org-a" }) },
    );
    actAs(null);
    expect(res.status).toBe(200);
    await deliver(new Date());
    expect(smtp.messages.flatMap(toOf)).toEqual([t.memberA.email, t.memberA.email]);
    expect(smtp.messages.map((m) => m.subject).sort()).toEqual(["lab 0: Configuration written", "lab 1: Configuration written"]);
  });
});

describe("My notifications: digest", () => {
  it("500 devices going offline at once → one email listing 100 and 'and 400 more', when the window ends", async () => {
    await save(t.memberA.id, { events: ["device.status.offline"], mode: "digest", digestMinutes: "5" });
    const many = await insertDevices(db(), t.orgA.id, 500, ["bulk"], "bulk");
    const t0 = new Date();
    await emitFor(db(), t.orgA.id, many, t0);
    // a few more in the same window
    await emitFor(db(), t.orgA.id, [lab[0]], minutes(t0, 2));
    expect(await deliver(minutes(t0, 4))).toBe(0);
    expect(smtp.messages).toHaveLength(0);
    expect(await deliver(minutes(t0, 5.1))).toBe(1);
    expect(smtp.messages).toHaveLength(1);
    const m = smtp.messages[0];
    expect(m.subject).toBe("501 device events in org-a");
    expect(m.text).toContain(`and ${501 - DIGEST_LIST_MAX} more`);
    expect(m.text).toContain("https://portal.example.test/orgs/org-a/events");
    expect((m.text!.match(/Offline at /g) ?? []).length).toBe(DIGEST_LIST_MAX);
    expect(unsubscribeUrlOf(m)).toBeTruthy();
    // all taken, nothing twice
    expect(await db().select().from(notificationItems)).toHaveLength(0);
    expect(await deliver(minutes(t0, 30))).toBe(0);
    expect(smtp.messages).toHaveLength(1);
  });

  it("'each event' folds a burst (500 devices at once) into one email listing them", async () => {
    await save(t.memberA.id, { events: ["device.status.offline"], mode: "each" });
    const many = await insertDevices(db(), t.orgA.id, 500, [], "burst");
    const t0 = new Date();
    await emitFor(db(), t.orgA.id, many, t0);
    expect(await deliver(t0)).toBe(1);
    expect(smtp.messages.map((m) => m.subject)).toEqual(["500 device events in org-a"]);
    expect(smtp.messages[0].text).toContain(`and ${500 - DIGEST_LIST_MAX} more`);
    // a few at a time still go one by one
    await emitFor(db(), t.orgA.id, lab, minutes(t0, 1));
    expect(await deliver(minutes(t0, 1))).toBe(2);
  });

  it("is crash-safe: a pass that fails before commit leaves every item for the next one", async () => {
    await save(t.memberA.id, { events: ["device.status.offline"], mode: "digest", digestMinutes: "15" });
    const t0 = new Date();
    await emitFor(db(), t.orgA.id, lab, t0);
    // the pass's transaction rolls back (as if the process died before commit): nothing queued, nothing lost
    await expect(
      db().transaction(async (tx) => {
        await processNotifications(tx, minutes(t0, 16));
        throw new Error("crash");
      }),
    ).rejects.toThrow("crash");
    expect(await db().select().from(notificationItems)).toHaveLength(2);
    expect(await db().select().from(emailOutbox)).toHaveLength(0);
    expect(await deliver(minutes(t0, 16))).toBe(1);
    expect(smtp.messages).toHaveLength(1);
  });

  it("two passes at the same time queue each digest once", async () => {
    await save(t.memberA.id, { events: ["device.status.offline"], mode: "digest", digestMinutes: "5" });
    await save(t.adminA.id, { events: ["device.status.offline"], mode: "digest", digestMinutes: "5" });
    const t0 = new Date();
    await emitFor(db(), t.orgA.id, [...lab, ...other], t0);
    const counts = await Promise.all([processNotifications(db(), minutes(t0, 6)), processNotifications(db(), minutes(t0, 6))]);
    expect(counts[0] + counts[1]).toBe(2);
    expect(await db().select().from(emailOutbox)).toHaveLength(2);
  });
});

describe("My notifications: members who leave", () => {
  it("a member who left gets nothing: their settings and waiting items go with the membership", async () => {
    await save(t.memberA.id, { events: ["device.status.offline"], mode: "digest", digestMinutes: "5" });
    const t0 = new Date();
    await emitFor(db(), t.orgA.id, lab, t0);
    await db().delete(memberships).where(and(eq(memberships.orgId, t.orgA.id), eq(memberships.userId, t.memberA.id)));
    await emitFor(db(), t.orgA.id, other, t0);
    expect(await deliver(minutes(t0, 10))).toBe(0);
    expect(smtp.messages).toHaveLength(0);
    expect(await db().select().from(notificationPrefs)).toHaveLength(0);
  });

  it("an email queued before the member left is not sent", async () => {
    await save(t.memberA.id, { events: ["device.status.offline"] });
    const now = new Date();
    await emitFor(db(), t.orgA.id, [lab[0]], now);
    expect(await processNotifications(db(), now)).toBe(1);
    await db().delete(memberships).where(and(eq(memberships.orgId, t.orgA.id), eq(memberships.userId, t.memberA.id)));
    await processEmailOutbox({ db: db(), now, budgetMs: 5_000 });
    expect(smtp.messages).toHaveLength(0);
    const [row] = await db().select().from(emailOutbox);
    expect(row.status).toBe("cancelled");
  });
});

describe("My notifications: tenancy and hostile input", () => {
  it("another org's owner cannot read or change org A's settings; a member changes only their own", async () => {
    const r = await save(t.ownerB.id, { events: ["device.status.offline"] });
    expect(r.ok).toBe(false);
    expect(await db().select().from(notificationPrefs)).toHaveLength(0);
    // naming another member in the input changes nothing but the caller's own row
    const own = await save(t.memberA.id, { events: ["device.status.offline"], userId: t.ownerA.id, orgId: t.orgB.id });
    expect(own.ok).toBe(true);
    const rows = await db().select().from(notificationPrefs);
    expect(rows.map((p) => [p.orgId, p.userId])).toEqual([[t.orgA.id, t.memberA.id]]);
    // signed out
    actAs(null);
    const fd = new FormData();
    fd.set("orgSlug", "org-a");
    expect((await saveMyNotificationsAction(null, fd))!.ok).toBe(false);
  });

  it.each([
    ["unknown event type", { events: ["device.exploded"] }, "events"],
    ["webhook.test is not subscribable", { events: ["webhook.test"] }, "events"],
    ["telemetry is for webhooks, not email", { events: ["device.telemetry"] }, "events"],
    ["digest of 7 minutes", { mode: "digest", digestMinutes: "7" }, "digestMinutes"],
    ["digest of 0 minutes", { mode: "digest", digestMinutes: "0" }, "digestMinutes"],
    ["digest of -5 minutes", { mode: "digest", digestMinutes: "-5" }, "digestMinutes"],
    ["digest of 1e12 minutes", { mode: "digest", digestMinutes: "1e12" }, "digestMinutes"],
    ["digest of 'soon'", { mode: "digest", digestMinutes: "soon" }, "digestMinutes"],
    ["unknown mode", { mode: "hourly" }, "mode"],
    ["unknown scope", { events: ["device.status.offline"], deviceScope: "everything" }, "deviceScope"],
    ["10,000-character tag", { events: ["device.status.offline"], deviceScope: "tags", deviceTags: ["x".repeat(10_000)] }, "deviceTags"],
    ["NUL byte in a tag", { events: ["device.status.offline"], deviceScope: "tags", deviceTags: ["lab\u0000"] }, "deviceTags"],
    ["tags scope without tags", { events: ["device.status.offline"], deviceScope: "tags", deviceTags: [] }, "deviceTags"],
    ["device id that is not a number", { events: ["device.status.offline"], deviceScope: "selected", deviceIds: ["abc"] }, "deviceIds"],
    ["device id past int4", { events: ["device.status.offline"], deviceScope: "selected", deviceIds: ["99999999999"] }, "deviceIds"],
    ["thousands of tags", { events: ["device.status.offline"], deviceScope: "tags", deviceTags: Array.from({ length: 5_000 }, (_, i) => `t${i}`) }, "deviceTags"],
  ])("%s → a clear field error, nothing saved", async (_what, prefs, field) => {
    const r = await save(t.memberA.id, prefs);
    expect(r.ok).toBe(false);
    expect(r.message).toBeTruthy();
    expect(r.message).not.toMatch(/went wrong/);
    expect(r.errors?.[field]?.[0], JSON.stringify(r.errors)).toBeTruthy();
    expect(await db().select().from(notificationPrefs)).toHaveLength(0);
  });

  it("turning every event off drops what was waiting", async () => {
    await save(t.memberA.id, { events: ["device.status.offline"], mode: "digest", digestMinutes: "60" });
    await emitFor(db(), t.orgA.id, lab);
    expect(await db().select().from(notificationItems)).toHaveLength(2);
    expect((await save(t.memberA.id, { events: [] })).ok).toBe(true);
    expect(await db().select().from(notificationItems)).toHaveLength(0);
  });

  it("the emit-time match is one statement whatever the number of members (no per-member query)", async () => {
    for (const u of [t.ownerA, t.adminA, t.memberA]) await save(u.id, { events: ["device.status.offline"] });
    await emitFor(db(), t.orgA.id, [...lab, ...other]);
    const [{ n }] = await queryRows<{ n: number }>(db(), sql`select count(*)::int as n from notification_items`);
    expect(n).toBe(12);
  });
});
