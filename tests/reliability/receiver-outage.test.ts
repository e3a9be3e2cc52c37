import { sql } from "drizzle-orm";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { queryRows, type Db } from "@/db/client";
import { processOutbox } from "@/lib/delivery/pass";
import { closeSendPools } from "@/lib/delivery/send";
import { emitOffline, insertWebhook, seedDeliveryOrg } from "../delivery/helpers";
import { count, useReliabilityDatabase, waitUntil } from "./support/db";
import { startOutageReceiver, type OutageReceiver } from "./support/receivers";

// Fault: the receiver answers 503, then is down (connection refused), then comes back. With a compressed retry
// schedule (WEBHOOK_RETRY_SCHEDULE), every event is delivered, none is lost, none is failed before its schedule ends.
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A delivery loop like the worker's, in this process, until `stop()` is called. */
function deliveryLoop() {
  let stopped = false;
  const done = (async () => {
    while (!stopped) {
      const r = await processOutbox({ batchSize: 100, budgetMs: 1_000 });
      if (r.claimed === 0) await sleep(100);
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await done;
    },
  };
}

async function outboxSummary(db: Db) {
  const [row] = await queryRows<{ pending: number; succeeded: number; failed: number; max_attempts: number; retried: number; attempts: number }>(
    db,
    sql`select count(*) filter (where status = 'pending')::int as pending,
               count(*) filter (where status = 'succeeded')::int as succeeded,
               count(*) filter (where status = 'failed')::int as failed,
               coalesce(max(attempts), 0)::int as max_attempts,
               count(*) filter (where attempts > 1)::int as retried,
               coalesce(sum(attempts), 0)::int as attempts
        from outbox`,
  );
  return row;
}

describe("fault: receiver down, then back", () => {
  const t = useReliabilityDatabase();
  let receiver: OutageReceiver;
  const saved = process.env.WEBHOOK_RETRY_SCHEDULE;
  beforeEach(async () => {
    receiver = await startOutageReceiver();
  });
  afterEach(async () => {
    await receiver.close();
    await closeSendPools();
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.WEBHOOK_RETRY_SCHEDULE;
    else process.env.WEBHOOK_RETRY_SCHEDULE = saved;
  });

  it("503s then connection refused for ~5 s, then back: every event delivered, none lost, none failed", async () => {
    // 5 retries: 1, 1, 2, 2, 4 s (±20 %) — at least 8 s from the first attempt to the last
    process.env.WEBHOOK_RETRY_SCHEDULE = "1,1,2,2,4";
    const db = t.db;
    const { org, device } = await seedDeliveryOrg(db);
    const { hook } = await insertWebhook(db, org.id, `${receiver.url}/hook`);

    receiver.answer(503);
    await emitOffline(db, org, device, new Date(), 200);
    const loop = deliveryLoop();
    try {
      await waitUntil("first attempts answered 503", () => receiver.log.length >= 200, { timeoutMs: 30_000 });
      receiver.answer(503, { "retry-after": "1" });
      await sleep(1_000);
      await receiver.down(); // connection refused from here on
      const downAt = Date.now();
      // events keep happening while the receiver is down
      await emitOffline(db, org, device, new Date(), 100);
      await sleep(Math.max(0, 3_000 - (Date.now() - downAt)));
      const during = await outboxSummary(db);
      expect(during.failed).toBe(0);
      expect(during.succeeded).toBe(0);
      receiver.answer(200);
      await receiver.up();
      await waitUntil("every delivery settled", async () => (await outboxSummary(db)).pending === 0, { timeoutMs: 60_000, intervalMs: 200 });
    } finally {
      await loop.stop();
    }

    const summary = await outboxSummary(db);
    expect(summary).toMatchObject({ pending: 0, failed: 0, succeeded: 300 });
    expect(summary.max_attempts).toBeLessThanOrEqual(6);
    expect(summary.retried).toBe(300); // every one was refused at least once and retried
    // every event reached the receiver with a 2xx, exactly once (no crash here, so no duplicate success)
    const ids = await queryRows<{ event_id: string }>(db, sql`select event_id from outbox`);
    const ok = new Map<string, number>();
    for (const r of receiver.log) if (r.status === 200) ok.set(r.id, (ok.get(r.id) ?? 0) + 1);
    expect(ids.filter((r) => ok.get(r.event_id) !== 1)).toEqual([]);
    // every attempt is logged, and the webhook is still enabled (a brief outage never disables it)
    expect(await count(db, "select count(*) from delivery_attempts")).toBe(summary.attempts);
    expect(await count(db, `select count(*) from webhooks where id = ${hook.id} and enabled`)).toBe(1);
    console.log(
      `[reliability] receiver outage: 300 events; ${receiver.log.filter((r) => r.status !== 200).length} answers of 503 ` +
        `plus connection refusals, ${summary.attempts} attempts in all (max ${summary.max_attempts} per delivery); 300/300 delivered, 0 failed`,
    );
  });

  it("a delivery is failed only after its whole schedule: attempts = schedule length + 1", async () => {
    process.env.WEBHOOK_RETRY_SCHEDULE = "1,1,1";
    const db = t.db;
    const { org, device } = await seedDeliveryOrg(db);
    await insertWebhook(db, org.id, `${receiver.url}/hook`);
    await receiver.down();
    await emitOffline(db, org, device, new Date(), 50);
    const loop = deliveryLoop();
    let checks = 0;
    try {
      await waitUntil(
        "every delivery failed",
        async () => {
          checks++;
          // whenever a row is failed, it has used every attempt of the schedule
          const early = await count(db, "select count(*) from outbox where status = 'failed' and attempts < 4");
          expect(early).toBe(0);
          return (await outboxSummary(db)).pending === 0;
        },
        { timeoutMs: 60_000, intervalMs: 100 },
      );
    } finally {
      await loop.stop();
    }
    const summary = await outboxSummary(db);
    expect(summary).toMatchObject({ failed: 50, succeeded: 0, pending: 0, max_attempts: 4, attempts: 200 });
    expect(checks).toBeGreaterThan(5);
  });
});
