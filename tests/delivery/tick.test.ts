import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { queryRows } from "@/db/client";
import { deliveryAttempts, outbox } from "@/db/schema";
import { kickDelivery, pendingKick } from "@/lib/delivery/kick";
import { pruneDeliveries } from "@/lib/delivery/retention";
import { runTick } from "@/lib/jobs/tick";
import { useTestDatabase } from "../support/db";
import { useTestReceiver } from "../support/test-receiver";
import { emitOffline, insertWebhook, outboxRows, seedDeliveryOrg } from "./helpers";

const db = useTestDatabase();
const receiver = useTestReceiver();

describe("kickDelivery", () => {
  it("delivers right away outside a request, coalescing concurrent kicks", async () => {
    const { org, device } = await seedDeliveryOrg(db());
    await insertWebhook(db(), org.id, receiver.url);
    await emitOffline(db(), org, device, new Date(), 2);
    kickDelivery();
    kickDelivery();
    kickDelivery();
    await pendingKick();
    expect(receiver.requests).toHaveLength(2);
    expect((await outboxRows(db())).every((r) => r.status === "succeeded" && r.attempts === 1)).toBe(true);
  });
});

describe("runTick", () => {
  it("marks quiet devices offline, delivers their offline events and answers counts", async () => {
    const { org, device } = await seedDeliveryOrg(db());
    await insertWebhook(db(), org.id, receiver.url);
    // the device was online and has not been heard from for longer than its timeout
    await db().execute(sql`update devices set status = 'online', last_seen_at = now() - interval '1 hour',
      presence_deadline = now() - interval '55 minutes' where id = ${device.id}`);
    const result = await runTick({ budgetMs: 5_000 });
    expect(result).toMatchObject({ devicesMarkedOffline: 1, claimed: 1, succeeded: 1 });
    expect(JSON.parse(receiver.requests[0].body)).toMatchObject({
      eventActivity: "device.status.offline",
      data: { status: "offline", reason: "timeout" },
    });
  });
});

describe("retention", () => {
  it("prunes succeeded deliveries and their attempts older than DELIVERY_RETENTION_DAYS, keeping failed ones", async () => {
    const { org, device } = await seedDeliveryOrg(db());
    await insertWebhook(db(), org.id, receiver.url);
    const old = new Date(Date.now() - 40 * 86_400_000);
    await emitOffline(db(), org, device, old, 3);
    await runTick({ now: old, budgetMs: 5_000 });
    await db().execute(sql`update outbox set status = 'failed' where id = (select min(id) from outbox)`);
    expect(await db().select().from(deliveryAttempts)).toHaveLength(3);
    expect(await pruneDeliveries(db(), new Date(), { batchSize: 1, maxBatches: 1 })).toBe(1);

    // the tick prunes too (the rest of the old succeeded rows), and delivers the new event
    await emitOffline(db(), org, device, new Date(), 1);
    expect(await runTick({ budgetMs: 5_000 })).toMatchObject({ succeeded: 1, pruned: 1 });
    const left = await db().select().from(outbox);
    expect(left.map((r) => r.status).sort()).toEqual(["failed", "succeeded"]);
    const [{ n }] = await queryRows<{ n: number }>(db(), sql`select count(*)::int as n from delivery_attempts`);
    expect(n).toBe(2);
  });
});
