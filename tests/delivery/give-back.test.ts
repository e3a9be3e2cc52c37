import { describe, expect, it } from "vitest";
import type { ClaimedRow } from "@/lib/delivery/claim";
import { kickLease } from "@/lib/delivery/kick";
import { processOutbox, type DeliveryFeed, type FeedItem } from "@/lib/delivery/pass";
import { recordDeviceContact } from "@/lib/devices/contact";
import { hashDeviceToken } from "@/lib/devices/tokens";
import { useTestDatabase } from "../support/db";
import { behaviours } from "../support/receiver";
import { useTestReceiver } from "../support/test-receiver";
import { makeDevice } from "../devices/helpers";
import { insertWebhook, outboxRows, seedDeliveryOrg } from "./helpers";

// A fed pass whose budget ends with rows taken but not started hands them back to the feed, still leased to this
// process, for the next pass to send at once. Releasing them to the database instead made them wait for the next
// claim of the loop, worker or cron: 1–2 s at 1,000 status changes/s (BENCHMARKS.md, issue #21).
const db = useTestDatabase();
const receiver = useTestReceiver();

/** A feed over a list, recording what is given back and reported done. */
function listFeed(items: FeedItem[]) {
  const waiting = [...items];
  const givenBack: { row: ClaimedRow; leaseUntil: number }[] = [];
  const done: number[] = [];
  const feed: DeliveryFeed = {
    take: (max) => waiting.splice(0, max),
    subscribe: () => () => undefined,
    done: (ids) => done.push(...ids),
    giveBack: (back) => givenBack.push(...back),
  };
  return { feed, givenBack, done };
}

async function leasedRows(n: number) {
  const { org } = await seedDeliveryOrg(db());
  await insertWebhook(db(), org.id, receiver.url);
  const leaseUntil = kickLease(new Date())!;
  const rows: ClaimedRow[] = [];
  for (let i = 0; i < n; i++) {
    const { device, token } = await makeDevice(db(), org.id, `gb-${i}`);
    const result = await recordDeviceContact(db(), { udid: device.udid, tokenHash: hashDeviceToken(token), report: { status: "online" }, leaseUntil });
    rows.push(...result!.leased);
  }
  return { rows, leaseUntil: leaseUntil.getTime() };
}

describe("a fed pass at the end of its budget", () => {
  it("hands its unstarted rows back to the feed, still leased, and the next pass sends each exactly once", async () => {
    const { rows, leaseUntil } = await leasedRows(6);
    receiver.respondWith(behaviours.slow(150));
    const first = listFeed(rows.map((row) => ({ row, leaseUntil })));
    await processOutbox({ feed: first.feed, budgetMs: 200, concurrency: 1, perWebhookLimit: 1 });
    const sent = receiver.requests.length;
    expect(sent).toBeGreaterThanOrEqual(1);
    expect(sent).toBeLessThan(6);
    // the rest went back to the feed, in order, with their lease; not reported done, not released
    expect(first.givenBack.map((b) => b.row.id)).toEqual(rows.slice(sent).map((r) => r.id));
    expect(first.givenBack.every((b) => b.leaseUntil === leaseUntil)).toBe(true);
    expect(first.done.sort()).toEqual(rows.slice(0, sent).map((r) => r.id).sort());
    const waiting = (await outboxRows(db())).filter((r) => first.givenBack.some((b) => b.row.id === r.id));
    expect(waiting.every((r) => r.status === "pending" && r.attempts === 1 && r.lockedUntil?.getTime() === leaseUntil)).toBe(true);
    // no other pass can take them meanwhile (still leased)
    expect(await processOutbox({})).toMatchObject({ claimed: 0 });

    receiver.respondWith(behaviours.ok());
    const second = listFeed(first.givenBack);
    await processOutbox({ feed: second.feed });
    expect(second.givenBack).toHaveLength(0);
    expect(receiver.requests).toHaveLength(6);
    expect(new Set(receiver.requests.map((r) => r.headers["webhook-id"])).size).toBe(6);
    expect((await outboxRows(db())).every((r) => r.status === "succeeded" && r.attempts === 1)).toBe(true);
  });

  it("without a feed that takes rows back, releases them to the database as before (due at once)", async () => {
    const { rows, leaseUntil } = await leasedRows(4);
    receiver.respondWith(behaviours.slow(150));
    const { feed } = listFeed(rows.map((row) => ({ row, leaseUntil })));
    delete feed.giveBack;
    const result = await processOutbox({ feed, budgetMs: 200, concurrency: 1, perWebhookLimit: 1 });
    expect(result.released).toBeGreaterThan(0);
    const released = (await outboxRows(db())).filter((r) => r.status === "pending");
    expect(released).toHaveLength(result.released);
    expect(released.every((r) => r.lockedUntil === null || r.lockedUntil.getTime() < leaseUntil)).toBe(true);
  });

  it("keeps fed rows beyond a webhook's held bound queued instead of releasing them, and sends them all", async () => {
    const { rows, leaseUntil } = await leasedRows(12);
    receiver.respondWith(behaviours.ok());
    const { feed, givenBack } = listFeed(rows.map((row) => ({ row, leaseUntil })));
    // held bound: max(4 × 1, 2 + 1) = 4 rows of the webhook; 8 would have gone back to the database
    const result = await processOutbox({ feed, concurrency: 1, perWebhookLimit: 1, batchSize: 2 });
    expect(result).toMatchObject({ released: 0, succeeded: 12 });
    expect(givenBack).toHaveLength(0);
    expect(receiver.requests).toHaveLength(12);
    expect((await outboxRows(db())).every((r) => r.status === "succeeded" && r.attempts === 1)).toBe(true);
  });
});
