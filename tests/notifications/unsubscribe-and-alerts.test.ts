import { and, eq, sql } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { queryRows } from "@/db/client";
import { apiKeys, notificationPrefs, revokedTokenUses } from "@/db/schema";
import { GET as unsubscribeGet, POST as unsubscribePost } from "@/app/unsubscribe/[token]/route";
import { POST as postStatus } from "@/app/api/v1/devices/[udid]/status/route";
import { queueApiKeyExpiryAlerts, queueRevokedTokenAlerts } from "@/lib/alerts/key-alerts";
import { regenerateDeviceToken } from "@/lib/devices/admin";
import { resetDeviceRateLimits } from "@/lib/devices/api";
import { recordAuthenticationFailure } from "@/lib/devices/contact";
import { hashDeviceToken } from "@/lib/devices/tokens";
import { processEmailOutbox } from "@/lib/email/pass";
import { runTick } from "@/lib/jobs/tick";
import { processNotifications } from "@/lib/notifications/pass";
import { unsubscribeToken } from "@/lib/notifications/unsubscribe-token";
import { callDeviceRoute, makeDevice } from "../devices/helpers";
import { useTestDatabase } from "../support/db";
import { twoOrgs } from "../support/fixtures";
import { actAs } from "../support/session";
import { useTestSmtp } from "../support/test-smtp";
import { emitFor, header, insertDevices, toOf, unsubscribeUrlOf, savePrefs } from "./helpers";

const db = useTestDatabase();
let t: Awaited<ReturnType<typeof twoOrgs>>;
const smtp = useTestSmtp();

beforeEach(async () => {
  t = await twoOrgs(db());
  actAs(null);
  resetDeviceRateLimits();
});

function save(userId: number, prefs: Record<string, unknown>) {
  return savePrefs(userId, t.orgA.slug, prefs);
}

async function send(now = new Date()) {
  await processEmailOutbox({ db: db(), now, budgetMs: 5_000 });
}

const route = (url: string) => ({ token: url.slice(url.lastIndexOf("/") + 1) });
async function call(handler: typeof unsubscribeGet, token: string, method = "GET") {
  const req = new Request(`http://localhost/unsubscribe/${encodeURIComponent(token)}`, {
    method,
    ...(method === "POST" ? { body: "List-Unsubscribe=One-Click", headers: { "content-type": "application/x-www-form-urlencoded" } } : {}),
  });
  const res = await handler(req, { params: Promise.resolve({ token }) });
  return { status: res.status, text: await res.text(), type: res.headers.get("content-type") };
}
const prefsOf = async (userId: number) =>
  (await db().select().from(notificationPrefs).where(and(eq(notificationPrefs.orgId, t.orgA.id), eq(notificationPrefs.userId, userId))))[0];

describe("one-click unsubscribe (RFC 8058)", () => {
  it("GET shows a confirmation and changes nothing; POST without a session turns the subscription off", async () => {
    await save(t.memberA.id, { events: ["device.status.offline"] });
    const [device] = await insertDevices(db(), t.orgA.id, 1);
    await emitFor(db(), t.orgA.id, [device]);
    await processNotifications(db());
    await send();
    const url = unsubscribeUrlOf(smtp.messages[0])!;
    const { token } = route(url);

    actAs(null);
    const get = await call(unsubscribeGet, token);
    expect(get.status).toBe(200);
    expect(get.type).toMatch(/text\/html/);
    expect(get.text).toContain('<form method="post">');
    expect(get.text).toContain("device notification emails");
    expect((await prefsOf(t.memberA.id)).events).toEqual(["device.status.offline"]);

    const post = await call(unsubscribePost, token, "POST");
    expect(post.status).toBe(200);
    expect(post.text).toContain("You are unsubscribed");
    expect((await prefsOf(t.memberA.id)).events).toEqual([]);
    // idempotent, and nothing more is sent
    expect((await call(unsubscribePost, token, "POST")).status).toBe(200);
    await emitFor(db(), t.orgA.id, [device]);
    expect(await processNotifications(db())).toBe(0);
  });

  it("refuses malformed, forged and re-targeted tokens with a 400 and changes nothing", async () => {
    await save(t.memberA.id, { events: ["device.status.offline"] });
    const good = unsubscribeToken({ orgId: t.orgA.id, userId: t.memberA.id, kind: "notifications" });
    const sig = good.slice(good.lastIndexOf(".") + 1);
    const bad = [
      "",
      "nonsense",
      good.slice(0, -1) + (good.endsWith("A") ? "B" : "A"), // signature changed
      `u1.${t.orgA.id}.${t.ownerA.id}.notifications.${sig}`, // another member, same signature
      `u1.${t.orgB.id}.${t.memberA.id}.notifications.${sig}`, // another org
      `u1.${t.orgA.id}.${t.memberA.id}.alerts.${sig}`, // another kind
      `${good}\u0000`,
      "u1." + "9".repeat(5_000),
    ];
    for (const token of bad) {
      for (const [handler, method] of [[unsubscribeGet, "GET"], [unsubscribePost, "POST"]] as const) {
        const r = await call(handler, token, method);
        expect(r.status, `${method} ${token.slice(0, 40)}`).toBe(400);
        expect(r.text).toContain("not valid");
      }
    }
    expect((await prefsOf(t.memberA.id)).events).toEqual(["device.status.offline"]);
  });

  it("a member who left: the link answers and changes nothing", async () => {
    const token = unsubscribeToken({ orgId: t.orgA.id, userId: t.ownerB.id, kind: "alerts" });
    const r = await call(unsubscribePost, token, "POST");
    expect(r.status).toBe(200);
    expect(r.text).toContain("Nothing to unsubscribe");
    expect(await db().select().from(notificationPrefs)).toHaveLength(0);
  });
});

describe("operational alerts: API key expiry", () => {
  async function key(name: string, expiresAt: Date | null, revokedAt: Date | null = null) {
    const [k] = await db()
      .insert(apiKeys)
      .values({ orgId: t.orgA.id, name, scope: "read", keyHash: `hash-${name}`, prefix: `spk_${name.slice(0, 6)}`, expiresAt, revokedAt })
      .returning();
    return k;
  }

  it("emails owners and admins once per key expiring within 7 days, with one-click unsubscribe from alerts", async () => {
    const now = new Date();
    await key("soon", new Date(now.getTime() + 3 * 86_400_000));
    await key("later", new Date(now.getTime() + 30 * 86_400_000));
    await key("revoked", new Date(now.getTime() + 86_400_000), now);
    await key("forever", null);
    await runTick({ now, budgetMs: 5_000 });
    const alerts = smtp.messages.filter((m) => /API key/.test(m.subject ?? ""));
    expect(alerts.map((m) => m.subject)).toEqual(['API key "soon" expires in 3 days', 'API key "soon" expires in 3 days']);
    expect(alerts.flatMap(toOf).sort()).toEqual([t.adminA.email, t.ownerA.email].sort());
    expect(alerts[0].text).toContain("https://portal.example.test/orgs/org-a/settings/api-keys");
    expect(header(alerts[0], "List-Unsubscribe-Post")).toBe("List-Unsubscribe=One-Click");
    // once: later ticks (and the day before expiry) send nothing more
    await runTick({ now: new Date(now.getTime() + 60_000), budgetMs: 5_000 });
    expect(await queueApiKeyExpiryAlerts(db(), new Date(now.getTime() + 2 * 86_400_000))).toBe(0);
    expect(smtp.messages.filter((m) => /API key/.test(m.subject ?? ""))).toHaveLength(2);

    // the owner's one-click unsubscribe turns operational alerts off for the owner only
    const ownerCopy = alerts.find((m) => toOf(m).includes(t.ownerA.email))!;
    const { token } = route(unsubscribeUrlOf(ownerCopy)!);
    expect((await call(unsubscribePost, token, "POST")).status).toBe(200);
    expect((await prefsOf(t.ownerA.id)).alerts).toBe(false);
    smtp.clear();
    await key("next", new Date(now.getTime() + 5 * 86_400_000));
    await runTick({ now, budgetMs: 5_000 });
    expect(smtp.messages.flatMap(toOf)).toEqual([t.adminA.email]);
  });

  it("respects the My notifications toggle; members never get operational alerts", async () => {
    expect((await save(t.adminA.id, { events: [], alerts: false })).ok).toBe(true);
    await key("soon", new Date(Date.now() + 86_400_000));
    await runTick({ budgetMs: 5_000 });
    expect(smtp.messages.flatMap(toOf)).toEqual([t.ownerA.email]);
  });
});

describe("operational alerts: revoked device token used repeatedly", () => {
  it("counts each refusal of the status API and alerts owners and admins once per device per day past 5 in an hour", async () => {
    const { device, token: old } = await makeDevice(db(), t.orgA.id, "dev-r");
    await regenerateDeviceToken(db(), { orgId: t.orgA.id, userId: t.ownerA.id }, device.id);
    // the real status API refuses the old token (each refusal counted)
    for (let i = 0; i < 3; i++) {
      const r = await callDeviceRoute(postStatus, "dev-r", { token: old, body: { status: "online" } });
      expect(r.status).toBe(401);
    }
    let [uses] = await db().select().from(revokedTokenUses);
    expect(uses.uses).toBe(3);
    expect(uses.alertDue).toBe(false);
    expect(await queueRevokedTokenAlerts(db())).toBe(0);

    const now = new Date();
    const refuse = (at: Date) => recordAuthenticationFailure(db(), "dev-r", { ref: null, tokenHash: hashDeviceToken(old) }, { ip: "198.51.100.9" }, at);
    await refuse(now);
    await refuse(now); // the 5th
    [uses] = await db().select().from(revokedTokenUses);
    expect(uses.alertDue).toBe(true);
    await runTick({ now, budgetMs: 5_000 });
    const sent = () => smtp.messages.filter((m) => /revoked token/.test(m.subject ?? ""));
    expect(sent().flatMap(toOf).sort()).toEqual([t.adminA.email, t.ownerA.email].sort());
    expect(sent()[0].text).toContain(`https://portal.example.test/orgs/org-a/devices/${device.id}`);
    expect(sent()[0].text).toContain("198.51.100.9");

    // more refusals the same day: no second alert
    for (let i = 0; i < 10; i++) await refuse(new Date(now.getTime() + (i + 1) * 60_000));
    await runTick({ now: new Date(now.getTime() + 20 * 60_000), budgetMs: 5_000 });
    expect(sent()).toHaveLength(2);
    // a day later, past the threshold again: alerted again
    const later = new Date(now.getTime() + 86_400_000 + 3_600_000);
    for (let i = 0; i < 5; i++) await refuse(later);
    expect(await queueRevokedTokenAlerts(db(), later)).toBe(2);
  });

  it("a wrong secret (not a revoked token) is not counted; another org's devices are untouched", async () => {
    const { device } = await makeDevice(db(), t.orgA.id, "dev-w");
    const [tok] = await queryRows<{ ref: string }>(db(), sql`select ref from device_tokens where device_id = ${device.id}`);
    for (let i = 0; i < 6; i++) {
      await recordAuthenticationFailure(db(), "dev-w", { ref: tok.ref, tokenHash: hashDeviceToken(`spd_${tok.ref}${"x".repeat(40)}`) }, { ip: null }, new Date(Date.now() + i * 61_000));
    }
    expect(await db().select().from(revokedTokenUses)).toHaveLength(0);
  });
});
