import { eq, sql } from "drizzle-orm";
import { queryRows } from "@/db/client";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { auditLog, deliveryAttempts, outbox, webhooks } from "@/db/schema";
import { processOutbox } from "@/lib/delivery/pass";
import { closeSendPools } from "@/lib/delivery/send";
import { useTestDatabase } from "../support/db";
import { behaviours, startReceiver, type Receiver } from "../support/receiver";
import { emitOffline, insertWebhook, outboxRows, seconds, seedDeliveryOrg } from "./helpers";

const db = useTestDatabase();
let receiver: Receiver;
const noJitter = () => 0.5;

beforeAll(async () => {
  receiver = await startReceiver();
});
beforeEach(() => {
  receiver.clear();
  receiver.respondWith(behaviours.ok());
  delete process.env.WEBHOOK_RETRY_SCHEDULE;
  delete process.env.WEBHOOK_TIMEOUT_MS;
  delete process.env.WEBHOOK_DISABLE_AFTER_FAILURES;
  delete process.env.WEBHOOK_DISABLE_AFTER_HOURS;
});
afterAll(async () => {
  await closeSendPools();
  await receiver.close();
});

const run = (now: Date) => processOutbox({ now, budgetMs: 5_000, random: noJitter });

describe("processOutbox", () => {
  it("delivers a status change signed so that standardwebhooks verifies it, body as the envelope reference", async () => {
    const { org, device } = await seedDeliveryOrg(db());
    const { hook, secret } = await insertWebhook(db(), org.id, `${receiver.url}/hooks/in`, { name: "Webhook for All events" });
    const t0 = new Date();
    const { events } = await emitOffline(db(), org, device, t0);

    const result = await run(seconds(t0, 0.2));
    expect(result).toMatchObject({ claimed: 1, succeeded: 1, failed: 0 });

    const [req] = receiver.requests;
    expect(req.method).toBe("POST");
    expect(req.path).toBe("/hooks/in");
    expect(req.headers["content-type"]).toMatch(/^application\/json/);
    expect(req.headers["user-agent"]).toMatch(/^Signalpost-Webhooks\//);
    expect(req.headers["webhook-id"]).toBe(events[0].id);
    expect(req.headers["webhook-timestamp"]).toBe(String(Math.floor(seconds(t0, 0.2).getTime() / 1000)));
    // the receiver verifies with the public library, as is
    expect(new Webhook(secret).verify(req.body, req.headers)).toBeTruthy();
    expect(JSON.parse(req.body)).toEqual({
      eventId: events[0].id,
      creationTime: seconds(t0, 0.2).toISOString(), // this attempt's send time (Kobiton)
      eventTime: t0.toISOString(), // when the event happened
      eventType: "DEVICE",
      eventActivity: "device.status.offline",
      eventDescription: "Offline",
      deviceUdid: "ce0917198075440c057e",
      deviceName: "Galaxy Note 8",
      orgId: org.id,
      webhookId: hook.id,
      webhookName: "Webhook for All events",
      data: { previousStatus: "online", status: "offline", reason: "timeout" },
    });

    const [row] = await outboxRows(db());
    expect(row).toMatchObject({ status: "succeeded", attempts: 1, lastStatusCode: 200, lockedUntil: null });
    const attempts = await db().select().from(deliveryAttempts);
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({ responseStatus: 200, responseBody: "ok", error: null, outboxId: row.id });
  });

  it("retries on the schedule with the same webhook-id and a new timestamp each time, then fails", async () => {
    process.env.WEBHOOK_RETRY_SCHEDULE = "5,300";
    receiver.respondWith(behaviours.error());
    const { org, device } = await seedDeliveryOrg(db());
    const { hook } = await insertWebhook(db(), org.id, `${receiver.url}/h`);
    const t0 = new Date("2026-01-01T00:00:00Z");
    await emitOffline(db(), org, device, t0);

    expect(await run(t0)).toMatchObject({ claimed: 1, retried: 1 });
    let [row] = await outboxRows(db());
    expect(row).toMatchObject({ status: "pending", attempts: 1, lastStatusCode: 500 });
    expect(row.lastError).toBe("receiver answered HTTP 500 (Internal Server Error)");
    expect(row.nextAttemptAt.getTime()).toBe(seconds(t0, 5).getTime());

    // not due yet one second later
    expect(await run(seconds(t0, 4))).toMatchObject({ claimed: 0 });
    expect(await run(seconds(t0, 5))).toMatchObject({ claimed: 1, retried: 1 });
    [row] = await outboxRows(db());
    expect(row.nextAttemptAt.getTime()).toBe(seconds(t0, 305).getTime());

    expect(await run(seconds(t0, 305))).toMatchObject({ claimed: 1, failed: 1 });
    [row] = await outboxRows(db());
    expect(row).toMatchObject({ status: "failed", attempts: 3 });
    expect(row.completedAt).not.toBeNull();
    expect(await run(seconds(t0, 100_000))).toMatchObject({ claimed: 0 });

    const ids = receiver.requests.map((r) => r.headers["webhook-id"]);
    expect(new Set(ids).size).toBe(1);
    const stamps = receiver.requests.map((r) => Number(r.headers["webhook-timestamp"]));
    expect(stamps).toEqual([0, 5, 305].map((s) => Math.floor(seconds(t0, s).getTime() / 1000)));
    // creationTime is each attempt's send time; eventTime stays the event's
    const bodies = receiver.requests.map((r) => JSON.parse(r.body) as { creationTime: string; eventTime: string });
    expect(bodies.map((b) => b.creationTime)).toEqual([0, 5, 305].map((s) => seconds(t0, s).toISOString()));
    expect(bodies.map((b) => b.eventTime)).toEqual([t0, t0, t0].map((d) => d.toISOString()));
    expect(await db().select().from(deliveryAttempts)).toHaveLength(3);
    // one failed delivery outcome: the streak counts it once
    const [w] = await db().select().from(webhooks).where(eq(webhooks.id, hook.id));
    expect(w).toMatchObject({ consecutiveFailures: 1, enabled: true });
  });

  it("applies ±20 % jitter to the schedule", async () => {
    process.env.WEBHOOK_RETRY_SCHEDULE = "100";
    receiver.respondWith(behaviours.error());
    const { org, device } = await seedDeliveryOrg(db());
    await insertWebhook(db(), org.id, receiver.url);
    const t0 = new Date("2026-01-01T00:00:00Z");
    await emitOffline(db(), org, device, t0, 2);
    let i = 0;
    await processOutbox({ now: t0, random: () => (i++ === 0 ? 0 : 0.999999) });
    const delays = (await outboxRows(db())).map((r) => (r.nextAttemptAt.getTime() - t0.getTime()) / 1000).sort((a, b) => a - b);
    expect(delays[0]).toBeCloseTo(80, 0);
    expect(delays[1]).toBeCloseTo(120, 0);
  });

  it("disables the webhook at once on 410 Gone, with the reason and an audit entry", async () => {
    receiver.respondWith(behaviours.gone());
    const { org, device } = await seedDeliveryOrg(db());
    const { hook } = await insertWebhook(db(), org.id, `${receiver.url}/gone`);
    const t0 = new Date();
    await emitOffline(db(), org, device, t0, 1);
    expect(await run(t0)).toMatchObject({ failed: 1, disabledWebhooks: 1 });
    const [w] = await db().select().from(webhooks).where(eq(webhooks.id, hook.id));
    expect(w.enabled).toBe(false);
    expect(w.disabledReason).toContain("410 Gone");
    const audit = await db().select().from(auditLog);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: "webhook.disabled", actorUserId: null, targetId: String(hook.id) });

    // more events for it are not sent (emit skips disabled webhooks; rows queued before are parked)
    await db().insert(outbox).values({ orgId: org.id, eventId: (await outboxRows(db()))[0].eventId, webhookId: hook.id, nextAttemptAt: t0 });
    receiver.clear();
    expect(await run(seconds(t0, 1))).toMatchObject({ claimed: 0 });
    expect(receiver.requests).toHaveLength(0);
    const parked = await queryRows<{ parked: boolean }>(
      db(),
      sql`select next_attempt_at = 'infinity' as parked from outbox where status = 'pending'`,
    );
    expect(parked).toEqual([{ parked: true }]);
  });

  it("honours Retry-After on 429 and 503, clamped to 1 s – 1 h", async () => {
    const { org, device } = await seedDeliveryOrg(db());
    await insertWebhook(db(), org.id, receiver.url);
    const t0 = new Date("2026-01-01T00:00:00Z");
    receiver.respondWith(behaviours.retryAfter(42));
    await emitOffline(db(), org, device, t0);
    await run(t0);
    let [row] = await outboxRows(db());
    expect(row.nextAttemptAt.getTime() - t0.getTime()).toBe(42_000);

    receiver.respondWith(behaviours.retryAfter(999_999, 503));
    await run(seconds(t0, 42));
    [row] = await outboxRows(db());
    expect(row.nextAttemptAt.getTime() - seconds(t0, 42).getTime()).toBe(3_600_000);
    expect(row).toMatchObject({ status: "pending", lastStatusCode: 503 });
  });

  it("times out a hanging receiver and retries", async () => {
    process.env.WEBHOOK_TIMEOUT_MS = "300";
    receiver.respondWith(behaviours.hang());
    const { org, device } = await seedDeliveryOrg(db());
    await insertWebhook(db(), org.id, receiver.url);
    const t0 = new Date();
    await emitOffline(db(), org, device, t0);
    expect(await run(t0)).toMatchObject({ retried: 1 });
    const [row] = await outboxRows(db());
    expect(row).toMatchObject({ status: "pending", lastStatusCode: null, lastError: "timed out after 0.3 s" });
  });

  it("does not follow redirects: a 3xx is a failed attempt", async () => {
    receiver.respondWith(behaviours.redirect(`${receiver.url}/elsewhere`, 301));
    const { org, device } = await seedDeliveryOrg(db());
    await insertWebhook(db(), org.id, `${receiver.url}/old`);
    await emitOffline(db(), org, device);
    expect(await run(new Date())).toMatchObject({ retried: 1, succeeded: 0 });
    expect(receiver.requests.map((r) => r.path)).toEqual(["/old"]);
    const [row] = await outboxRows(db());
    expect(row.lastError).toBe(`redirect not followed (Location: ${receiver.url}/elsewhere)`);
  });

  it("auto-disables after a long failure streak, not after a burst within a minute", async () => {
    process.env.WEBHOOK_RETRY_SCHEDULE = "0"; // two attempts, the retry due at once
    receiver.respondWith(behaviours.error());
    const { org, device } = await seedDeliveryOrg(db());
    const { hook } = await insertWebhook(db(), org.id, receiver.url);
    const t0 = new Date("2026-01-01T00:00:00Z");

    // a burst: 50 deliveries fail (both attempts) within a minute
    await emitOffline(db(), org, device, t0, 50);
    await run(t0);
    await run(seconds(t0, 30));
    let [w] = await db().select().from(webhooks).where(eq(webhooks.id, hook.id));
    // each delivery counted once (its retry added nothing), and the streak dates from the first failure
    expect(w).toMatchObject({ enabled: true, consecutiveFailures: 50 });
    expect(w.failingSince!.getTime()).toBe(t0.getTime());

    // the streak goes on for more than 24 hours: disabled
    await emitOffline(db(), org, device, seconds(t0, 25 * 3600), 1);
    await run(seconds(t0, 25 * 3600));
    await run(seconds(t0, 25 * 3600 + 1));
    [w] = await db().select().from(webhooks).where(eq(webhooks.id, hook.id));
    expect(w.enabled).toBe(false);
    expect(w.disabledReason).toMatch(/^Disabled automatically after 51 failed deliveries in a row/);
    const audit = await db().select().from(auditLog);
    expect(audit.map((a) => a.action)).toEqual(["webhook.disabled"]);
  });

  it("a success resets the streak", async () => {
    process.env.WEBHOOK_RETRY_SCHEDULE = "0";
    receiver.respondWith(behaviours.error());
    const { org, device } = await seedDeliveryOrg(db());
    const { hook } = await insertWebhook(db(), org.id, receiver.url);
    const t0 = new Date("2026-01-01T00:00:00Z");
    await emitOffline(db(), org, device, t0, 3);
    await run(t0);
    await run(seconds(t0, 1));
    receiver.respondWith(behaviours.ok());
    await emitOffline(db(), org, device, seconds(t0, 2), 1);
    await run(seconds(t0, 2));
    const [w] = await db().select().from(webhooks).where(eq(webhooks.id, hook.id));
    expect(w).toMatchObject({ consecutiveFailures: 0, failingSince: null });
  });

  it("a disabled webhook's pending rows wait, and resume when it is re-enabled", async () => {
    const { resumeParkedDeliveries } = await import("@/lib/delivery/write-back");
    const { org, device } = await seedDeliveryOrg(db());
    const { hook } = await insertWebhook(db(), org.id, receiver.url);
    const t0 = new Date();
    await emitOffline(db(), org, device, t0, 3);
    await db().update(webhooks).set({ enabled: false }).where(eq(webhooks.id, hook.id));
    expect(await run(t0)).toMatchObject({ claimed: 0 });
    expect(receiver.requests).toHaveLength(0);
    expect((await outboxRows(db())).every((r) => r.status === "pending" && r.attempts === 0)).toBe(true);

    await db().update(webhooks).set({ enabled: true }).where(eq(webhooks.id, hook.id));
    expect(await resumeParkedDeliveries(db(), seconds(t0, 1))).toBe(3);
    expect(await run(seconds(t0, 1))).toMatchObject({ succeeded: 3 });
    expect(receiver.requests).toHaveLength(3);
  });

  it("claims pass over a webhook whose rows it holds plenty of, instead of claiming and giving them back", async () => {
    const slow = await startReceiver(behaviours.slow(1_000));
    try {
      const { org, device } = await seedDeliveryOrg(db());
      const { hook: busy } = await insertWebhook(db(), org.id, slow.url, { name: "busy" });
      const t0 = new Date(Date.now() - 1_000);
      await emitOffline(db(), org, device, t0, 300);
      await insertWebhook(db(), org.id, receiver.url, { name: "behind" });
      await emitOffline(db(), org, device, seconds(t0, 0.5), 5);
      // 50 rows a claim, 3 in flight per webhook: the pass may hold 54 of a webhook, and claims skip it from 27
      const passStart = new Date();
      const pass = processOutbox({ now: () => new Date(), concurrency: 4, batchSize: 50, budgetMs: 300 });
      await receiver.waitForRequests(5, 2_000);
      const [given] = await queryRows<{ n: number }>(
        db(),
        sql`select count(*)::int as n from outbox
            where webhook_id = ${busy.id} and attempts = 0 and next_attempt_at > ${passStart.toISOString()}::timestamptz`,
      );
      expect(given.n).toBe(0); // none of the busy webhook's rows was claimed and given back
      const result = await pass;
      expect(result.claimed + result.released).toBeLessThanOrEqual(55 + 5);
    } finally {
      await slow.close();
    }
  });

  it("a slow endpoint does not hold up another webhook", async () => {
    const slow = await startReceiver(behaviours.slow(3_000));
    try {
      const { org, device } = await seedDeliveryOrg(db());
      await insertWebhook(db(), org.id, slow.url, { name: "slow" });
      const t0 = new Date();
      await emitOffline(db(), org, device, t0, 30);
      await insertWebhook(db(), org.id, receiver.url, { name: "fast" });
      await emitOffline(db(), org, device, seconds(t0, 0.001), 5);
      const started = Date.now();
      const pass = processOutbox({ now: () => new Date(), concurrency: 4, budgetMs: 500 });
      await receiver.waitForRequests(5, 2_000);
      expect(Date.now() - started).toBeLessThan(1_000);
      await pass;
    } finally {
      await slow.close();
    }
  });
});
