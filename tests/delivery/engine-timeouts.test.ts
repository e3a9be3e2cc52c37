// The engine's request deadlines (lib/delivery/exchange.ts: one timer per 25 ms slot, not one per request): a hanging
// receiver's deliveries fail with a timeout within WEBHOOK_TIMEOUT_MS plus a little, each recorded as an attempt with
// its request, and a healthy webhook's deliveries in the same pass go through; the outbox rows are leased, not
// locked, while the requests hang (PostgreSQL); signatures verify with the standardwebhooks package.
import { eq, sql } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { queryRows } from "@/db/client";
import { deliveryAttempts } from "@/db/schema";
import { processOutbox } from "@/lib/delivery/pass";
import { closeSendPools } from "@/lib/delivery/send";
import { useTestDatabase } from "../support/db";
import { behaviours, startReceiver, type Receiver } from "../support/receiver";
import { emitOffline, insertWebhook, outboxRows, seedDeliveryOrg } from "./helpers";

const db = useTestDatabase();
let hanging: Receiver;
let healthy: Receiver;

beforeAll(async () => {
  hanging = await startReceiver(behaviours.hang());
  healthy = await startReceiver(behaviours.ok());
});
beforeEach(() => {
  hanging.clear();
  healthy.clear();
  delete process.env.WEBHOOK_TIMEOUT_MS;
});
afterAll(async () => {
  delete process.env.WEBHOOK_TIMEOUT_MS;
  await closeSendPools();
  await hanging.close();
  await healthy.close();
});

describe("request deadlines in a delivery pass", () => {
  it("fails every hanging delivery with a timeout within WEBHOOK_TIMEOUT_MS + 0.5 s, each recorded with its signed request", async () => {
    process.env.WEBHOOK_TIMEOUT_MS = "1000";
    const { org, device } = await seedDeliveryOrg(db());
    const { hook: slow, secret } = await insertWebhook(db(), org.id, `${hanging.url}/slow`, { name: "slow" });
    await emitOffline(db(), org, device, new Date(), 12);

    const started = performance.now();
    const pass = processOutbox({ budgetMs: 5_000, concurrency: 32 });
    await hanging.waitForRequests(12, 5_000);
    if (process.env.DATABASE_URL) {
      // while the requests hang, no outbox row is locked: another session can lock every one of them at once. (Not on
      // the embedded database: its queries run on this thread and would hold up the event loop the deadlines run on.)
      const free = await queryRows<{ id: number }>(db(), sql`select id from outbox where webhook_id = ${slow.id} for update skip locked`);
      expect(free).toHaveLength(12);
    }
    const result = await pass;
    const took = performance.now() - started;

    expect(result).toMatchObject({ claimed: 12, succeeded: 0, retried: 12 });
    expect(took).toBeLessThan(1_000 + 3_000);
    for (const row of await outboxRows(db(), slow.id)) {
      expect(row).toMatchObject({ status: "pending", lastStatusCode: null, lastError: "timed out after 1 s", lockedUntil: null });
    }
    const attempts = await db().select().from(deliveryAttempts).where(eq(deliveryAttempts.webhookId, slow.id));
    expect(attempts).toHaveLength(12);
    for (const a of attempts) {
      expect(a.error).toBe("timed out after 1 s");
      // cut at the deadline: not before it, and late only by the 25 ms slot plus event-loop delay (generous for CI)
      expect(a.durationMs).toBeGreaterThanOrEqual(995);
      expect(a.durationMs).toBeLessThan(1_000 + 500);
      expect(a.responseStatus).toBeNull();
      expect(a.requestBody).toContain(`"webhookId":${slow.id}`);
      expect(a.requestHeaders).toHaveProperty("webhook-id", a.eventId);
    }
    // what the receiver got verifies with the public library
    const verifier = new Webhook(secret);
    for (const req of hanging.requests) expect(verifier.verify(req.body, req.headers)).toBeTruthy();
  });

  it("delivers a healthy webhook's rows in the same pass as a hanging one's, each attempt with its response", async () => {
    process.env.WEBHOOK_TIMEOUT_MS = "2000";
    const { org, device } = await seedDeliveryOrg(db());
    const { hook: slow } = await insertWebhook(db(), org.id, `${hanging.url}/slow`, { name: "slow" });
    const { hook: fast } = await insertWebhook(db(), org.id, `${healthy.url}/fast`, { name: "fast" });
    await emitOffline(db(), org, device, new Date(), 8);
    expect(await processOutbox({ budgetMs: 5_000, concurrency: 32 })).toMatchObject({ claimed: 16, succeeded: 8, retried: 8 });
    expect(healthy.requests).toHaveLength(8);
    const fastAttempts = await db().select().from(deliveryAttempts).where(eq(deliveryAttempts.webhookId, fast.id));
    expect(fastAttempts).toHaveLength(8);
    for (const a of fastAttempts) {
      expect(a).toMatchObject({ responseStatus: 200, error: null, responseBody: "ok" });
      expect(a.responseHeaders).toHaveProperty("content-type", "text/plain");
    }
    for (const row of await outboxRows(db(), slow.id)) expect(row.lastError).toBe("timed out after 2 s");
  });

  it("refuses a URL resolving to a private address at send time unless private URLs are allowed", async () => {
    const saved = process.env.WEBHOOK_ALLOW_PRIVATE_URLS;
    try {
      const { org, device } = await seedDeliveryOrg(db());
      await insertWebhook(db(), org.id, healthy.url.replace("http://", "https://") + "/x");
      await emitOffline(db(), org, device, new Date(), 3);
      process.env.WEBHOOK_ALLOW_PRIVATE_URLS = "0";
      expect(await processOutbox({ budgetMs: 2_000 })).toMatchObject({ claimed: 3, retried: 3 });
      for (const row of await outboxRows(db())) expect(row.lastError).toBe("URL resolves to a private address (127.0.0.1)");
      expect(healthy.requests).toHaveLength(0);
    } finally {
      if (saved === undefined) delete process.env.WEBHOOK_ALLOW_PRIVATE_URLS;
      else process.env.WEBHOOK_ALLOW_PRIVATE_URLS = saved;
    }
  });
});
