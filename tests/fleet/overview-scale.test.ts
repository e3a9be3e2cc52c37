import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { queryRows } from "@/db/client";
import { orgs } from "@/db/schema";
import { fleetOverview } from "@/lib/fleet/overview";
import { useTestDatabase } from "../support/db";

const db = useTestDatabase({ truncate: false });
const DEVICES = 100_000;
const EVENTS = 10_000_000;
const DAYS = 90;
const TYPES = ["device.status.online", "device.status.offline", "device.status.utilizing", "device.status.unplugged", "device.telemetry", "device.firmware.changed", "device.authentication.failed", "device.created"];

async function explain(query: ReturnType<typeof sql>): Promise<string> {
  const rows = await queryRows<Record<string, string>>(db(), sql`explain (analyze, buffers off) ${query}`);
  return rows.map((r) => Object.values(r)[0]).join("\n");
}

// The overview reads aggregates, so its cost depends on the range and the number of event types, not on the raw
// event count: 10 million events over 90 days become ~26,000 five-minute buckets × 8 types of aggregate rows.
describe.skipIf(!process.env.DATABASE_URL)("fleet overview at 100,000 devices and 10 million events (Postgres)", () => {
  it("answers in well under 200 ms of server time", async () => {
    const [org] = await db().insert(orgs).values({ slug: "big", name: "Big" }).returning();
    const [other] = await db().insert(orgs).values({ slug: "other", name: "Other" }).returning();
    const now = new Date();
    const nowIso = now.toISOString();
    for (const o of [org, other]) {
      await db().execute(sql`
        insert into devices (org_id, udid, name, tags, status, last_seen_at, presence_deadline)
        select ${o.id}, 'udid-' || g, 'Device ' || lpad(g::text, 6, '0'), array['lab-' || (g % 20)],
               case when g % 50 = 0 then 'offline' else (array['online','offline','utilizing','unplugged'])[1 + g % 4] end,
               case when g % 50 = 0 then null else ${nowIso}::timestamptz - (g || ' seconds')::interval end,
               ${nowIso}::timestamptz + interval '5 minutes'
        from generate_series(1, ${DEVICES}) g`);
      const buckets = (DAYS * 86_400) / 300;
      const perBucketType = Math.round(EVENTS / buckets / TYPES.length);
      await db().execute(sql`
        insert into fleet_event_counts (org_id, bucket, type, count)
        select ${o.id}, date_bin('5 minutes', ${nowIso}::timestamptz - (b * 300 || ' seconds')::interval, timestamptz '1970-01-01'), t, ${perBucketType}
        from generate_series(0, ${buckets - 1}) b, unnest(${sql.param(TYPES)}::text[]) t`);
      await db().execute(sql`
        insert into fleet_delivery_counts (org_id, bucket, outcome, count)
        select ${o.id}, date_bin('5 minutes', ${nowIso}::timestamptz - (b * 300 || ' seconds')::interval, timestamptz '1970-01-01'), oc, 100
        from generate_series(0, ${buckets - 1}) b, unnest(array['succeeded','failed']) oc`);
      await db().execute(sql`
        insert into fleet_status_samples (org_id, bucket, online, offline, utilizing, unplugged, never_connected)
        select ${o.id}, date_bin('5 minutes', ${nowIso}::timestamptz - (b * 300 || ' seconds')::interval, timestamptz '1970-01-01'),
               25000, 23000, 25000, 25000, 2000
        from generate_series(0, ${buckets - 1}) b`);
      await db().execute(sql`
        insert into webhooks (org_id, name, url, events, enabled, consecutive_failures)
        select ${o.id}, 'hook ' || g, 'http://127.0.0.1:9/' || g, array['device.telemetry'], g % 7 <> 0, case when g % 5 = 0 then 3 else 0 end
        from generate_series(1, 50) g`);
    }
    await db().execute(sql`analyze`);

    const timings: Record<string, number[]> = { "24h": [], "7d": [] };
    for (let i = 0; i < 5; i++) {
      for (const range of ["24h", "7d"] as const) {
        const t0 = performance.now();
        const o = await fleetOverview(db(), org.id, range, now);
        timings[range].push(performance.now() - t0);
        expect(o.counts.never_connected).toBe(DEVICES / 50);
        expect(o.recentlyOffline).toHaveLength(8);
        expect(o.neverConnected).toHaveLength(8);
      }
    }
    const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
    const from = new Date(now.getTime() - 7 * 86_400_000).toISOString();
    const plans = [
      await explain(sql`select status, count(*) from devices where org_id = ${org.id} group by status`),
      await explain(sql`select count(*) from devices where org_id = ${org.id} and status = 'offline' and last_seen_at is null`),
      await explain(sql`select id from devices where org_id = ${org.id} and status = 'offline' and last_seen_at is not null order by last_seen_at desc nulls last limit 8`),
      await explain(sql`select type, sum(count) from fleet_event_counts where org_id = ${org.id} and bucket >= ${from}::timestamptz group by 1`),
    ];
    console.log(
      `[fleet overview @100k devices, 10M events] median 24h ${median(timings["24h"]).toFixed(1)} ms, 7d ${median(timings["7d"]).toFixed(1)} ms` +
        ` (runs: 24h ${timings["24h"].map((t) => t.toFixed(0)).join(", ")}; 7d ${timings["7d"].map((t) => t.toFixed(0)).join(", ")})\n${plans.join("\n---\n")}`,
    );
    expect(plans[2]).toContain("devices_org_offline_seen_idx");
    expect(plans[1]).toContain("devices_org_never_connected_idx");
    expect(median(timings["24h"])).toBeLessThan(200);
    expect(median(timings["7d"])).toBeLessThan(200);
  }, 300_000);
});
