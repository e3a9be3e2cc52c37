import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { queryRows } from "@/db/client";
import { orgs, webhooks } from "@/db/schema";
import { runTick } from "@/lib/jobs/tick";
import { pruneEvents, pruneFleetAggregates, pruneSignals } from "@/lib/fleet/retention";
import { catchUpFleetRollups } from "@/lib/fleet/rollup";
import { makeDevice } from "../devices/helpers";
import { useTestDatabase } from "../support/db";

const db = useTestDatabase();
const NOW = new Date("2026-11-30T12:00:00.000Z");
const DAY = 86_400_000;
const ago = (days: number) => new Date(NOW.getTime() - days * DAY).toISOString();

afterEach(() => {
  delete process.env.SIGNAL_RETENTION_DAYS;
  delete process.env.EVENT_RETENTION_DAYS;
});

async function setup() {
  const [org] = await db().insert(orgs).values({ slug: "r", name: "R" }).returning();
  const { device } = await makeDevice(db(), org.id, "ret-1");
  const [hook] = await db().insert(webhooks).values({ orgId: org.id, name: "h", url: "http://127.0.0.1:9/h", events: ["device.telemetry"] }).returning();
  return { org, device, hook };
}

async function addEvent(orgId: number, id: string, daysAgo: number, hookId: number, outbox: Array<"pending" | "succeeded" | "failed">) {
  await queryRows(db(), sql`insert into events (id, org_id, type, payload, created_at) values (${id}, ${orgId}, 'device.telemetry', '{}'::jsonb, ${ago(daysAgo)}::timestamptz)`);
  for (const status of outbox) {
    await queryRows(
      db(),
      sql`insert into outbox (org_id, event_id, webhook_id, status, completed_at, created_at)
          values (${orgId}, ${id}, ${hookId}, ${status}, ${status === "pending" ? null : ago(daysAgo)}::timestamptz, ${ago(daysAgo)}::timestamptz)`,
    );
  }
}

const ids = async (table: "events" | "signals") =>
  (
    await queryRows<{ id: string }>(
      db(),
      // the device's own device.created event (made at the real time) is not part of these tests
      table === "events"
        ? sql`select id from events where type = 'device.telemetry' order by id`
        : sql`select id::text from signals order by id`,
    )
  ).map((r) => r.id);

describe("telemetry retention", () => {
  it("deletes signals older than SIGNAL_RETENTION_DAYS in bounded batches, and keeps newer ones", async () => {
    const { org, device } = await setup();
    await queryRows(
      db(),
      sql`insert into signals (org_id, device_id, name, value, received_at)
          select ${org.id}, ${device.id}, 'battery', to_jsonb(g), ${ago(31)}::timestamptz + (g || ' seconds')::interval
          from generate_series(1, 10) g`,
    );
    await queryRows(db(), sql`insert into signals (org_id, device_id, name, value, received_at) values (${org.id}, ${device.id}, 'battery', '1', ${ago(29)}::timestamptz)`);
    // at most batchSize × maxBatches rows per call
    expect(await pruneSignals(db(), NOW, { batchSize: 3, maxBatches: 2 })).toBe(6);
    expect(await pruneSignals(db(), NOW, { batchSize: 3, maxBatches: 2 })).toBe(4);
    expect(await pruneSignals(db(), NOW)).toBe(0);
    expect(await ids("signals")).toHaveLength(1);
    // the env variable moves the cutoff; 0 keeps everything
    process.env.SIGNAL_RETENTION_DAYS = "0";
    expect(await pruneSignals(db(), NOW)).toBe(0);
    process.env.SIGNAL_RETENTION_DAYS = "7";
    expect(await pruneSignals(db(), NOW)).toBe(1);
  });

  it("never deletes an event whose deliveries are still pending; finished deliveries go with their event", async () => {
    const { org, hook } = await setup();
    await addEvent(org.id, "evt_old_done", 100, hook.id, ["succeeded", "failed"]);
    await addEvent(org.id, "evt_old_pending", 100, hook.id, ["failed", "pending"]);
    await addEvent(org.id, "evt_old_none", 95, hook.id, []);
    await addEvent(org.id, "evt_recent", 10, hook.id, ["succeeded"]);
    expect(await pruneEvents(db(), NOW)).toBe(2);
    const left = await ids("events");
    expect(left).toContain("evt_old_pending");
    expect(left).toContain("evt_recent");
    expect(left).not.toContain("evt_old_done");
    expect(left).not.toContain("evt_old_none");
    expect((await queryRows<{ n: number }>(db(), sql`select count(*)::int as n from outbox where event_id = 'evt_old_done'`))[0].n).toBe(0);
    // once its delivery finishes, it goes too
    await queryRows(db(), sql`update outbox set status = 'succeeded', completed_at = ${ago(1)}::timestamptz where event_id = 'evt_old_pending'`);
    expect(await pruneEvents(db(), NOW)).toBe(1);
    process.env.EVENT_RETENTION_DAYS = "5";
    expect(await pruneEvents(db(), NOW)).toBe(1);
    expect(await ids("events")).toEqual([]);
  });

  it("keeps the aggregates when raw rows go, and prunes aggregates only after their own, longer period", async () => {
    const { org, hook } = await setup();
    await addEvent(org.id, "evt_a", 3, hook.id, ["succeeded"]);
    await catchUpFleetRollups(db(), NOW);
    const before = await queryRows(db(), sql`select * from fleet_event_counts`);
    expect(before).toHaveLength(1);
    process.env.EVENT_RETENTION_DAYS = "1";
    expect(await pruneEvents(db(), NOW)).toBe(1);
    await catchUpFleetRollups(db(), new Date(NOW.getTime() + 60_000));
    expect(await queryRows(db(), sql`select * from fleet_event_counts`)).toEqual(before);
    await queryRows(db(), sql`insert into fleet_status_samples values (${org.id}, ${ago(401)}::timestamptz, 1, 0, 0, 0, 0), (${org.id}, ${ago(399)}::timestamptz, 1, 0, 0, 0, 0)`);
    expect(await pruneFleetAggregates(db(), NOW)).toBe(1);
    expect(await queryRows(db(), sql`select * from fleet_status_samples where bucket < ${ago(300)}::timestamptz`)).toHaveLength(1);
  });

  it("runs from the periodic tick", async () => {
    const { org, hook } = await setup();
    await addEvent(org.id, "evt_tick_old", 91, hook.id, ["succeeded"]);
    await addEvent(org.id, "evt_tick_pending", 91, hook.id, ["pending"]);
    await queryRows(db(), sql`update outbox set next_attempt_at = 'infinity' where event_id = 'evt_tick_pending'`);
    // parked behind a disabled webhook, so the tick's delivery pass leaves it pending (an enabled webhook's row this
    // old would be sent once and fail for good: retries end 72 h after the event)
    await queryRows(db(), sql`update webhooks set enabled = false where id = ${hook.id}`);
    const result = await runTick({ now: NOW, budgetMs: 2_000, db: db() });
    expect(result.prunedTelemetry).toBeGreaterThanOrEqual(1);
    expect(await ids("events")).toEqual(["evt_tick_pending"]);
  });
});
