import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { queryRows } from "@/db/client";
import { processOutbox } from "@/lib/delivery/pass";
import { claimDueDeliveries } from "@/lib/delivery/claim";
import { useTestDatabase } from "../support/db";
import { useTestReceiver } from "../support/test-receiver";
import { emitOffline, insertWebhook, outboxRows, seedDeliveryOrg } from "./helpers";

// PGlite has one connection, so SKIP LOCKED never really skips there: these run on the Postgres server only.
const onPostgres = Boolean(process.env.DATABASE_URL);

describe.skipIf(!onPostgres)("outbox concurrency (Postgres)", () => {
  const db = useTestDatabase();
  const receiver = useTestReceiver();

  it("4 concurrent processOutbox loops deliver 5,000 rows, none twice", async () => {
    const { org, device } = await seedDeliveryOrg(db());
    await insertWebhook(db(), org.id, `${receiver.url}/a`, { name: "a" });
    await insertWebhook(db(), org.id, `${receiver.url}/b`, { name: "b" });
    const now = new Date();
    for (let i = 0; i < 5; i++) await emitOffline(db(), org, device, now, 500); // 2,500 events × 2 webhooks
    expect((await outboxRows(db())).length).toBe(5_000);

    const loop = async (workerId: string) => {
      let total = 0;
      for (;;) {
        const r = await processOutbox({ workerId, batchSize: 100, concurrency: 16, budgetMs: 2_000 });
        total += r.succeeded;
        if (r.claimed > 0) continue;
        // like a real worker: idle until nothing is pending (rows may be leased by others or briefly deferred)
        const [{ n }] = await queryRows<{ n: number }>(db(), sql`select count(*)::int as n from outbox where status = 'pending'`);
        if (n === 0) return total;
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const totals = await Promise.all(["w1", "w2", "w3", "w4"].map(loop));
    expect(totals.reduce((a, b) => a + b, 0)).toBe(5_000);
    expect(totals.filter((t) => t > 0).length).toBeGreaterThan(1);

    expect(receiver.requests).toHaveLength(5_000);
    const keys = receiver.requests.map((r) => `${r.path} ${r.headers["webhook-id"]}`);
    expect(new Set(keys).size).toBe(5_000);
    const [counts] = await queryRows<{ succeeded: number; attempts: number }>(
      db(),
      sql`select count(*) filter (where status = 'succeeded')::int as succeeded, sum(attempts)::int as attempts from outbox`,
    );
    expect(counts).toEqual({ succeeded: 5_000, attempts: 5_000 });
  });

  it("a crashed worker's claimed rows are delivered by another worker after the lease expires", async () => {
    const { org, device } = await seedDeliveryOrg(db());
    await insertWebhook(db(), org.id, receiver.url);
    const t0 = new Date();
    await emitOffline(db(), org, device, t0, 10);
    // the "crashed" worker: claims and never completes
    const claimed = await claimDueDeliveries(db(), { now: t0, batchSize: 100, leaseMs: 60_000 });
    expect(claimed).toHaveLength(10);
    // while the lease holds, nobody else sends them
    expect(await processOutbox({ now: new Date(t0.getTime() + 30_000) })).toMatchObject({ claimed: 0 });
    expect(receiver.requests).toHaveLength(0);
    // after it expires, another worker delivers every row
    const later = new Date(t0.getTime() + 61_000);
    expect(await processOutbox({ now: later })).toMatchObject({ claimed: 10, succeeded: 10 });
    expect(receiver.requests).toHaveLength(10);
    const rows = await outboxRows(db());
    expect(rows.every((r) => r.status === "succeeded" && r.attempts === 2)).toBe(true);
  });

  it("a late write-back from a worker whose lease expired does not overwrite the new owner's result", async () => {
    const { org, device } = await seedDeliveryOrg(db());
    await insertWebhook(db(), org.id, receiver.url);
    const t0 = new Date();
    await emitOffline(db(), org, device, t0, 1);
    const { writeOutcomes } = await import("@/lib/delivery/write-back");
    const [stale] = await claimDueDeliveries(db(), { now: t0, batchSize: 1, leaseMs: 1_000 });
    await processOutbox({ now: new Date(t0.getTime() + 2_000) });
    await writeOutcomes(
      db(),
      [{ row: stale, status: "failed", nextAttemptAt: null, statusCode: 500, error: "late", completedAt: t0 }],
      [],
    );
    const [row] = await outboxRows(db());
    expect(row).toMatchObject({ status: "succeeded", lastStatusCode: 200 });
  });
});
