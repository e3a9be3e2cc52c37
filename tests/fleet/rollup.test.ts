import fc from "fast-check";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { queryRows } from "@/db/client";
import { devices, orgs, webhooks } from "@/db/schema";
import { BUCKET_MS, GRACE_MS, catchUpFleetRollups, floorBucket, runFleetRollups } from "@/lib/fleet/rollup";
import { useTestDatabase } from "../support/db";

const db = useTestDatabase();
const NOW = Date.parse("2026-11-30T12:00:00.000Z");
const TYPES = ["device.status.online", "device.status.offline", "device.telemetry"] as const;
const OUTCOMES = ["pending", "succeeded", "failed"] as const;

type Ev = { org: 0 | 1; type: (typeof TYPES)[number]; at: number; outcome: (typeof OUTCOMES)[number]; doneAfter: number };

const evArb = (lo: number, hi: number) =>
  fc.record({
    org: fc.constantFrom<0 | 1>(0, 1),
    type: fc.constantFrom(...TYPES),
    at: fc.integer({ min: lo, max: hi - 1 }),
    outcome: fc.constantFrom(...OUTCOMES),
    doneAfter: fc.integer({ min: 0, max: 60_000 }),
  });

let seq = 0;
async function insert(orgIds: number[], hookIds: number[], list: Ev[]) {
  for (const e of list) {
    const id = `evt_test${String(++seq).padStart(12, "0")}`;
    const at = new Date(e.at).toISOString();
    await queryRows(
      db(),
      sql`insert into events (id, org_id, type, payload, created_at) values (${id}, ${orgIds[e.org]}, ${e.type}, '{}'::jsonb, ${at}::timestamptz)`,
    );
    const completed = e.outcome === "pending" ? null : new Date(Math.min(e.at + e.doneAfter, NOW - 1)).toISOString();
    await queryRows(
      db(),
      sql`insert into outbox (org_id, event_id, webhook_id, status, completed_at, created_at)
          values (${orgIds[e.org]}, ${id}, ${hookIds[e.org]}, ${e.outcome}, ${completed}::timestamptz, ${at}::timestamptz)`,
    );
  }
}

/** What the aggregates must say, computed from the raw rows. */
async function rawCounts() {
  const ev = await queryRows<{ org_id: number; b: string; type: string; n: number }>(
    db(),
    sql`select org_id, extract(epoch from created_at)::float8 * 1000 as b, type, 1 as n from events`,
  );
  const del = await queryRows<{ org_id: number; b: string; status: string }>(
    db(),
    sql`select org_id, extract(epoch from completed_at)::float8 * 1000 as b, status from outbox where status <> 'pending'`,
  );
  const events = new Map<string, number>();
  for (const r of ev) {
    const k = `${r.org_id}|${floorBucket(Number(r.b))}|${r.type}`;
    events.set(k, (events.get(k) ?? 0) + 1);
  }
  const deliveries = new Map<string, number>();
  for (const r of del) {
    const k = `${r.org_id}|${floorBucket(Number(r.b))}|${r.status}`;
    deliveries.set(k, (deliveries.get(k) ?? 0) + 1);
  }
  return { events, deliveries };
}

async function aggregates() {
  const ev = await queryRows<{ org_id: number; b: string; type: string; count: number }>(
    db(),
    sql`select org_id, extract(epoch from bucket)::float8 * 1000 as b, type, count from fleet_event_counts`,
  );
  const del = await queryRows<{ org_id: number; b: string; outcome: string; count: number }>(
    db(),
    sql`select org_id, extract(epoch from bucket)::float8 * 1000 as b, outcome, count from fleet_delivery_counts`,
  );
  return {
    events: new Map(ev.map((r) => [`${r.org_id}|${Number(r.b)}|${r.type}`, Number(r.count)])),
    deliveries: new Map(del.map((r) => [`${r.org_id}|${Number(r.b)}|${r.outcome}`, Number(r.count)])),
  };
}

async function setup() {
  await queryRows(db(), sql`truncate fleet_rollups, fleet_event_counts, fleet_delivery_counts, fleet_status_samples, outbox, events, webhooks, devices, orgs restart identity cascade`);
  const made = await db().insert(orgs).values([{ slug: "a", name: "A" }, { slug: "b", name: "B" }]).returning();
  const hooks = await db()
    .insert(webhooks)
    .values(made.map((o) => ({ orgId: o.id, name: "h", url: "http://127.0.0.1:9/h", events: [...TYPES] })))
    .returning();
  return { orgIds: made.map((o) => o.id), hookIds: hooks.map((h) => h.id) };
}

describe("fleet rollups", () => {
  it("equal the raw rows, counted in one catch-up or in waves with late arrivals inside the grace period", async () => {
    const DAY = 86_400_000;
    await fc.assert(
      fc.asyncProperty(
        fc.array(evArb(NOW - 3 * DAY, NOW - DAY), { maxLength: 25 }),
        fc.array(evArb(NOW - DAY - GRACE_MS, NOW), { maxLength: 25 }),
        async (wave1, wave2) => {
          const { orgIds, hookIds } = await setup();
          await insert(orgIds, hookIds, wave1);
          await catchUpFleetRollups(db(), new Date(NOW - DAY));
          await insert(orgIds, hookIds, wave2);
          await catchUpFleetRollups(db(), new Date(NOW));
          const raw = await rawCounts();
          const agg = await aggregates();
          expect(agg.events).toEqual(raw.events);
          expect(agg.deliveries).toEqual(raw.deliveries);
        },
      ),
      { numRuns: 15 },
    );
  });

  it("is throttled, and a rerun changes nothing", async () => {
    const { orgIds, hookIds } = await setup();
    await insert(orgIds, hookIds, [{ org: 0, type: "device.telemetry", at: NOW - 60_000, outcome: "succeeded", doneAfter: 1000 }]);
    await catchUpFleetRollups(db(), new Date(NOW));
    const before = await aggregates();
    expect((await runFleetRollups(db(), new Date(NOW + 1000))).events).toBe(false);
    await runFleetRollups(db(), new Date(NOW + 60_000), { force: true });
    expect(await aggregates()).toEqual(before);
    expect([...before.events.values()]).toEqual([1]);
  });

  it("samples device-status occupancy once per bucket, never-connected apart from offline", async () => {
    const { orgIds } = await setup();
    const seen = new Date(NOW - 1000);
    await db()
      .insert(devices)
      .values([
        { orgId: orgIds[0], udid: "a", name: "a", status: "online", lastSeenAt: seen },
        { orgId: orgIds[0], udid: "b", name: "b", status: "offline", lastSeenAt: seen },
        { orgId: orgIds[0], udid: "c", name: "c", status: "offline" },
        { orgId: orgIds[1], udid: "d", name: "d", status: "unplugged", lastSeenAt: seen },
      ]);
    expect((await runFleetRollups(db(), new Date(NOW))).status).toBe(true);
    expect((await runFleetRollups(db(), new Date(NOW + 1000))).status).toBe(false);
    expect((await runFleetRollups(db(), new Date(NOW + BUCKET_MS))).status).toBe(true);
    const rows = await queryRows<{ org_id: number; online: number; offline: number; never_connected: number; unplugged: number }>(
      db(),
      sql`select org_id, online, offline, never_connected, unplugged from fleet_status_samples order by bucket, org_id`,
    );
    expect(rows).toHaveLength(4);
    expect(rows[0]).toMatchObject({ org_id: orgIds[0], online: 1, offline: 1, never_connected: 1, unplugged: 0 });
    expect(rows[1]).toMatchObject({ org_id: orgIds[1], online: 0, offline: 0, never_connected: 0, unplugged: 1 });
  });
});
