import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows, type Db } from "@/db/client";
import { emitOffline, insertWebhook, seedDeliveryOrg } from "../delivery/helpers";
import { behaviours, startReceiver, type Receiver } from "../support/receiver";
import { count, useReliabilityDatabase, waitUntil } from "./support/db";
import { spawnWorker, stopChild, type Child } from "./support/processes";

// Scale-out: worker processes (`scripts/worker.ts`) on one database coordinate only through row claims. Against a
// receiver that takes 100 ms per request (so the work is I/O-bound, not CPU-bound, and the comparison is stable),
// 4 workers deliver the same backlog faster than 1, and no row is ever sent twice.
const EVENTS = 150; // × 4 webhooks = 600 deliveries per run
const LATENCY_MS = 100;
const WORKER_ENV = { DELIVERY_CONCURRENCY: "4", WORKER_INTERVAL_MS: "100" };

async function runWithWorkers(
  t: { db: Db; url: string },
  receiver: Receiver,
  workers: number,
): Promise<{ perSecond: number; seconds: number; duplicates: number; counts: Map<string, number> }> {
  const db = t.db;
  const { org, device } = await seedDeliveryOrg(db, `scale-${workers}`);
  for (const name of ["a", "b", "c", "d"]) await insertWebhook(db, org.id, `${receiver.url}/${name}`, { name });
  receiver.clear();
  const children: Child[] = [];
  try {
    for (let i = 0; i < workers; i++) children.push(spawnWorker(t.url, WORKER_ENV));
    // every worker is up and polling before the backlog appears, so they all start together
    await Promise.all(children.map((c) => c.waitForOutput(/started/, 90_000)));
    await emitOffline(db, org, device, new Date(), EVENTS);
    const total = EVENTS * 4;
    await receiver.waitForRequests(total, 120_000);
    await waitUntil("all succeeded", async () => (await count(db, "select count(*) from outbox where status <> 'succeeded'")) === 0, {
      timeoutMs: 60_000,
    });
  } finally {
    await Promise.all(children.map((c) => stopChild(c)));
  }
  const times = receiver.requests.map((r) => r.receivedAt.getTime());
  const seconds = (Math.max(...times) - Math.min(...times)) / 1000;
  const counts = new Map<string, number>();
  for (const r of receiver.requests) {
    const key = `${r.path} ${r.headers["webhook-id"]}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const duplicates = [...counts.values()].filter((n) => n > 1).length;
  return { perSecond: receiver.requests.length / Math.max(seconds, 0.001), seconds, duplicates, counts };
}

describe("scale-out: 4 workers on one database", () => {
  const t = useReliabilityDatabase();
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await startReceiver(behaviours.slow(LATENCY_MS));
  });
  afterAll(async () => {
    await receiver.close();
  });

  it("4 worker processes never send a row twice, and deliver faster than 1", async () => {
    const one = await runWithWorkers(t, receiver, 1);
    expect(one.counts.size).toBe(EVENTS * 4);
    expect(one.duplicates).toBe(0);

    const four = await runWithWorkers(t, receiver, 4);
    // every delivery of the 4-worker run arrived exactly once (a healthy receiver, no crash: no duplicate at all)
    expect(four.counts.size).toBe(EVENTS * 4);
    expect(four.duplicates).toBe(0);
    expect(receiver.requests).toHaveLength(EVENTS * 4);
    // each row was claimed once: attempts = 1 everywhere
    const [attempts] = await queryRows<{ rows: number; attempts: number; max: number }>(
      t.db,
      sql`select count(*)::int as rows, sum(attempts)::int as attempts, max(attempts)::int as max
          from outbox o join webhooks w on w.id = o.webhook_id join orgs g on g.id = w.org_id where g.slug = 'scale-4'`,
    );
    expect(attempts).toEqual({ rows: EVENTS * 4, attempts: EVENTS * 4, max: 1 });
    // the work was shared: more than one worker process made attempts
    const ratio = four.perSecond / one.perSecond;
    console.log(
      `[reliability] scale-out: 1 worker ${one.perSecond.toFixed(0)} deliveries/s (${one.seconds.toFixed(1)} s), ` +
        `4 workers ${four.perSecond.toFixed(0)} deliveries/s (${four.seconds.toFixed(1)} s): ×${ratio.toFixed(2)}; 0 sent twice`,
    );
    expect(ratio).toBeGreaterThanOrEqual(1.3);
  });
});
