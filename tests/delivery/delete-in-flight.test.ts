import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { queryRows } from "@/db/client";
import { webhooks } from "@/db/schema";
import { processOutbox } from "@/lib/delivery/pass";
import { useTestDatabase } from "../support/db";
import { useTestReceiver } from "../support/test-receiver";
import { emitOffline, insertWebhook, outboxRows, seedDeliveryOrg } from "./helpers";

// A webhook deleted while its deliveries are in flight: its outbox rows and attempts go with it (cascade), and the
// pass that was sending them still records the OTHER webhooks' results of the same batch. (Before, the batch's one
// write-back statement failed on the attempts' foreign key, every outcome of the batch was lost, and the rows that
// had been delivered were sent again after the lease.)
describe("deleting a webhook while its deliveries are in flight", () => {
  const db = useTestDatabase();
  const receiver = useTestReceiver();

  it("the batch's other outcomes and attempts are written; the deleted webhook's are dropped", async () => {
    const { org, device } = await seedDeliveryOrg(db());
    const { hook: doomed } = await insertWebhook(db(), org.id, `${receiver.url}/doomed`, { name: "doomed" });
    const { hook: kept } = await insertWebhook(db(), org.id, `${receiver.url}/kept`, { name: "kept" });
    await emitOffline(db(), org, device, new Date(), 3);
    // the doomed webhook's receiver is slow; the webhook is deleted while its requests are in flight
    receiver.respondWith((req) => (req.path.startsWith("/doomed") ? { status: 200, delayMs: 600, body: "late" } : { status: 200 }));
    const pass = processOutbox({ budgetMs: 5_000 });
    await receiver.waitForRequests(6, 5_000);
    await db().delete(webhooks).where(eq(webhooks.id, doomed.id));
    const result = await pass;
    expect(result.claimed).toBe(6);

    const rows = await outboxRows(db());
    expect(rows.map((r) => [r.webhookId, r.status])).toEqual([
      [kept.id, "succeeded"],
      [kept.id, "succeeded"],
      [kept.id, "succeeded"],
    ]);
    const attempts = await queryRows<{ webhook_id: number; n: number }>(
      db(),
      sql`select webhook_id, count(*)::int as n from delivery_attempts group by webhook_id`,
    );
    expect(attempts).toEqual([{ webhook_id: kept.id, n: 3 }]);
    // nothing is sent again
    expect(await processOutbox({ now: new Date(Date.now() + 10 * 60_000) })).toMatchObject({ claimed: 0 });
    expect(receiver.requests.filter((r) => r.path.startsWith("/kept"))).toHaveLength(3);
  });
});
