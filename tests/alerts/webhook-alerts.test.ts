import { eq, sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { emailOutbox, memberships, users, webhooks } from "@/db/schema";
import { queueWebhookAlerts } from "@/lib/alerts/webhook-alerts";
import { runTick } from "@/lib/jobs/tick";
import { useTestDatabase } from "../support/db";
import { useTestSmtp } from "../support/test-smtp";
import { behaviours } from "../support/receiver";
import { useTestReceiver } from "../support/test-receiver";
import { emitOffline, insertWebhook, seedDeliveryOrg } from "../delivery/helpers";

const db = useTestDatabase();
const receiver = useTestReceiver();
const smtp = useTestSmtp();
const saved = { ...process.env };

beforeEach(() => {
  process.env.WEBHOOK_RETRY_SCHEDULE = "1,1,1,1,1,1";
  process.env.WEBHOOK_DISABLE_AFTER_FAILURES = "3";
  process.env.WEBHOOK_DISABLE_AFTER_HOURS = "0";
});
afterEach(() => {
  process.env = { ...saved };
});

async function seedPeople() {
  const { org, device } = await seedDeliveryOrg(db());
  const people = await db()
    .insert(users)
    .values([
      { email: "owner@example.com", name: "Owner", passwordHash: "!" },
      { email: "admin@example.com", name: "Admin", passwordHash: "!" },
      { email: "member@example.com", name: "Member", passwordHash: "!" },
    ])
    .returning();
  await db()
    .insert(memberships)
    .values([
      { orgId: org.id, userId: people[0].id, role: "owner" },
      { orgId: org.id, userId: people[1].id, role: "admin" },
      { orgId: org.id, userId: people[2].id, role: "member" },
    ]);
  return { org, device, people };
}

const at = (base: Date, s: number) => new Date(base.getTime() + s * 1000);
const recipientsOf = (subject: RegExp) =>
  smtp.messages.filter((m) => subject.test(m.subject ?? "")).flatMap((m) => (Array.isArray(m.to) ? m.to : [m.to]).flatMap((a) => a!.value.map((v) => v.address))).sort();

describe("operational alerts", () => {
  it("emails owners and admins once when a webhook starts failing and once when it is auto-disabled", async () => {
    const { org, device } = await seedPeople();
    const { hook } = await insertWebhook(db(), org.id, receiver.url, { name: "Ops" });
    receiver.respondWith(behaviours.error());
    const t0 = new Date();
    await emitOffline(db(), org, device, t0);

    await runTick({ now: t0, budgetMs: 5_000 });
    expect(recipientsOf(/started failing/)).toEqual(["admin@example.com", "owner@example.com"]);
    const failing = smtp.messages.find((m) => /started failing/.test(m.subject ?? ""))!;
    expect(failing.text).toContain("HTTP 500");
    expect(failing.text).toContain(`https://portal.example.test/orgs/acme/webhooks/${hook.id}/deliveries`);

    // a delivery counts once toward the failure streak: two more failing deliveries reach the threshold of 3
    await emitOffline(db(), org, device, at(t0, 10), 2);
    await runTick({ now: at(t0, 10), budgetMs: 5_000 });
    const [after] = await db().select().from(webhooks).where(eq(webhooks.id, hook.id));
    expect(after.enabled).toBe(false);
    expect(recipientsOf(/was disabled/)).toEqual(["admin@example.com", "owner@example.com"]);
    const disabled = smtp.messages.find((m) => /was disabled/.test(m.subject ?? ""))!;
    expect(disabled.subject).toBe('Webhook "Ops" was disabled');
    expect(disabled.text).toContain("Disabled automatically after 3 failed deliveries");
    expect(disabled.text).toContain("Last error: receiver answered HTTP 500");
    expect(disabled.text).toContain(`https://portal.example.test/orgs/acme/webhooks/${hook.id}`);
    expect(disabled.html).toContain("Review and re-enable");

    // nothing more on later ticks
    await runTick({ now: at(t0, 60), budgetMs: 5_000 });
    expect(await queueWebhookAlerts(db(), at(t0, 120))).toBe(0);
    expect(smtp.messages).toHaveLength(4);
    expect(recipientsOf(/./)).not.toContain("member@example.com");
  });

  it("sends at most one 'started failing' alert per webhook per day, and none for a webhook a user disabled", async () => {
    const { org, device } = await seedPeople();
    const { hook } = await insertWebhook(db(), org.id, receiver.url, { name: "Flaky" });
    process.env.WEBHOOK_DISABLE_AFTER_FAILURES = "100";
    const t0 = new Date();
    const streak = async (t: Date) => {
      receiver.respondWith(behaviours.error());
      await emitOffline(db(), org, device, t);
      await runTick({ now: t, budgetMs: 5_000 });
      receiver.respondWith(behaviours.ok());
      await runTick({ now: at(t, 5), budgetMs: 5_000 });
    };
    await streak(t0); // fails, then succeeds: one alert
    await streak(at(t0, 3_600)); // a new streak an hour later: no second alert today
    expect(recipientsOf(/started failing/)).toHaveLength(2);
    await streak(at(t0, 86_400 + 60)); // a day later: alerted again
    expect(recipientsOf(/started failing/)).toHaveLength(4);

    // a webhook disabled by a user is not "auto-disabled"
    await db().update(webhooks).set({ enabled: false, disabledReason: "Disabled by a user", disabledAt: new Date() }).where(eq(webhooks.id, hook.id));
    expect(await queueWebhookAlerts(db())).toBe(0);
  });

  it("queues each alert once when workers scan at the same time", async () => {
    const { org } = await seedPeople();
    const { hook } = await insertWebhook(db(), org.id, receiver.url);
    await db().execute(sql`update webhooks set failing_since = now(), consecutive_failures = 1 where id = ${hook.id}`);
    const counts = await Promise.all([queueWebhookAlerts(db()), queueWebhookAlerts(db()), queueWebhookAlerts(db())]);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(2);
    expect(await db().select().from(emailOutbox)).toHaveLength(2);
  });
});
