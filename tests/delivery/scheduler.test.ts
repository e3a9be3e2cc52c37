// The fair-share scheduler of a delivery pass (lib/delivery/scheduler.ts): pure bookkeeping.
import { describe, expect, it } from "vitest";
import type { ClaimedRow } from "@/lib/delivery/claim";
import { FairScheduler } from "@/lib/delivery/scheduler";

let nextId = 1;
const row = (webhookId: number): ClaimedRow => ({ id: nextId++, orgId: 1, eventId: `e${nextId}`, webhookId, attempts: 1, webhookVersion: 1, event: null });

describe("FairScheduler", () => {
  it("never starts more than the concurrency", () => {
    const s = new FairScheduler(4, 4, 100);
    for (let i = 0; i < 10; i++) s.offer(row(1));
    expect(s.takeStartable()).toHaveLength(4);
    expect(s.takeStartable()).toHaveLength(0);
    s.finished(1);
    expect(s.takeStartable()).toHaveLength(1);
  });

  it("shares slots equally between active webhooks: a slow one cannot take them all", () => {
    const s = new FairScheduler(8, 6, 100);
    for (let i = 0; i < 20; i++) s.offer(row(1)); // slow webhook with a backlog
    const first = s.takeStartable();
    expect(first).toHaveLength(6); // its own cap (the only active webhook)
    for (let i = 0; i < 5; i++) s.offer(row(2)); // a healthy webhook shows up
    const next = s.takeStartable();
    expect(next.every((r) => r.webhookId === 2)).toBe(true);
    expect(next).toHaveLength(2); // the two free slots go to it, not to the slow one's queue
  });

  it("picks the least busy webhook first, oldest row first", () => {
    const s = new FairScheduler(2, 2, 100);
    const a1 = row(1), a2 = row(1), b1 = row(2);
    [a1, a2, b1].forEach((r) => s.offer(r));
    expect(s.takeStartable().map((r) => r.id)).toEqual([a1.id, b1.id]);
  });

  it("refuses rows past a webhook's bound and reports it well stocked from half of it", () => {
    const s = new FairScheduler(4, 4, 6);
    const offered = Array.from({ length: 8 }, () => s.offer(row(9)));
    expect(offered.filter(Boolean)).toHaveLength(6);
    expect(s.isStocked(9)).toBe(true);
    expect(s.stockedWebhooks()).toEqual([9]);
    expect(s.drain()).toHaveLength(6);
    expect(s.queued).toBe(0);
    expect(s.isStocked(9)).toBe(false);
  });

  it("eligible counts only rows whose webhook is under its share", () => {
    const s = new FairScheduler(2, 2, 100);
    for (let i = 0; i < 3; i++) s.offer(row(1));
    s.takeStartable(); // both slots to webhook 1
    expect(s.eligible()).toBe(0);
    s.offer(row(2));
    expect(s.eligible()).toBe(1);
  });
});
