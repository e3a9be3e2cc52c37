import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "@/db/client";
import { emitOffline, insertWebhook, seedDeliveryOrg } from "../delivery/helpers";
import { startReceiver, type Receiver } from "../support/receiver";
import { count, useReliabilityDatabase, waitUntil } from "./support/db";
import { spawnWorker, stopChild, type Child } from "./support/processes";

// Fault: a worker process killed with SIGKILL in the middle of a batch while 10,000 deliveries are pending.
// The lease of a claim is budget + timeout + 30 s (lib/delivery/pass.ts); the workers here run with a 2 s
// budget and a 2 s timeout, so a dead worker's rows become due again 34 s after their claim.
const TOTAL_EVENTS = 5_000; // × 2 webhooks = 10,000 deliveries
const WORKER_ENV = { WORKER_BUDGET_MS: "2000", WEBHOOK_TIMEOUT_MS: "2000" };

describe("fault: worker killed with SIGKILL mid-batch", () => {
  const t = useReliabilityDatabase();
  let receiver: Receiver;
  const children: Child[] = [];
  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(async () => {
    for (const c of children) await stopChild(c);
    await receiver.close();
  });

  it("after a SIGKILL and a restart every one of 10,000 deliveries reaches the receiver; duplicates only for rows in flight", async () => {
    const db = t.db;
    const { org, device } = await seedDeliveryOrg(db);
    const a = await insertWebhook(db, org.id, `${receiver.url}/a`, { name: "a" });
    const b = await insertWebhook(db, org.id, `${receiver.url}/b`, { name: "b" });
    const pathOf = new Map([
      [a.hook.id, "/a"],
      [b.hook.id, "/b"],
    ]);
    const now = new Date();
    for (let i = 0; i < TOTAL_EVENTS / 500; i++) await emitOffline(db, org, device, now, 500);
    expect(await count(db, "select count(*) from outbox where status = 'pending'")).toBe(10_000);

    const started = performance.now();
    const first = spawnWorker(t.url, WORKER_ENV);
    children.push(first);
    // kill it while it is busy: some deliveries done, many more claimed and in flight
    await receiver.waitForRequests(2_500, 120_000);
    first.kill("SIGKILL");
    const exit = await first.exited;
    expect(exit.signal).toBe("SIGKILL");
    const receivedBeforeKill = receiver.requests.length;

    // rows claimed by the dead worker whose outcome was never written: the only ones that may be sent twice
    const inFlight = await queryRows<{ event_id: string; webhook_id: number }>(
      db,
      sql`select event_id, webhook_id from outbox where status = 'pending' and locked_until is not null`,
    );
    const inFlightKeys = new Set(inFlight.map((r) => `${pathOf.get(Number(r.webhook_id))} ${r.event_id}`));
    const succeededAtKill = await count(db, "select count(*) from outbox where status = 'succeeded'");
    expect(succeededAtKill).toBeLessThan(10_000);
    expect(inFlight.length).toBeGreaterThan(0);

    const second = spawnWorker(t.url, WORKER_ENV);
    children.push(second);
    await waitUntil(
      "every delivery succeeded after the restart",
      async () => (await count(db, "select count(*) from outbox where status <> 'succeeded'")) === 0,
      { timeoutMs: 150_000, intervalMs: 500 },
    );
    await stopChild(second);
    const elapsedS = (performance.now() - started) / 1000;

    expect(await count(db, "select count(*) from outbox where status = 'succeeded'")).toBe(10_000);
    const perKey = new Map<string, number>();
    for (const r of receiver.requests) {
      const key = `${r.path} ${r.headers["webhook-id"]}`;
      perKey.set(key, (perKey.get(key) ?? 0) + 1);
    }
    // every event reached the receiver on each webhook
    const expected = await queryRows<{ event_id: string; webhook_id: number }>(db, sql`select event_id, webhook_id from outbox`);
    const missing = expected.filter((r) => !perKey.has(`${pathOf.get(Number(r.webhook_id))} ${r.event_id}`));
    expect(missing).toEqual([]);
    expect(perKey.size).toBe(10_000);
    // duplicates: only rows that were in flight when the worker died, and at most once more
    const duplicates = [...perKey].filter(([, n]) => n > 1);
    expect(duplicates.filter(([key]) => !inFlightKeys.has(key))).toEqual([]);
    expect(duplicates.every(([, n]) => n === 2)).toBe(true);
    expect(receiver.requests.length).toBe(10_000 + duplicates.length);

    console.log(
      `[reliability] worker SIGKILL: 10,000 deliveries; ${receivedBeforeKill} received before the kill, ` +
        `${succeededAtKill} recorded as succeeded, ${inFlight.length} in flight (leased, outcome unwritten); after restart ` +
        `all 10,000 delivered with ${duplicates.length} duplicate(s), all among the in-flight rows; ${elapsedS.toFixed(1)} s`,
    );
  });
});
