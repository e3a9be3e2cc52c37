// Section 5: the budgets of the capabilities, measured on the bench's PostgreSQL database with the functions the
// routes call: bulk device creation (API / CSV import), a desired-config write to every device with a tag, and the
// fleet overview at 100,000 devices and 10 million events (pre-aggregated).
import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { orgs, webhooks } from "@/db/schema";
import { createDevices } from "@/lib/devices/admin";
import { bulkWriteDesired } from "@/lib/devices/desired";
import { fleetOverview } from "@/lib/fleet/overview";
import { deviceCreateSchema, desiredBulkSchema } from "@/lib/validation/devices";
import { checkDeadline, ms } from "./config";
import { percentile } from "./load";
import { record } from "./report";

async function newOrg(db: Db, slug: string) {
  const [org] = await db.insert(orgs).values({ slug: `${slug}-${Date.now()}`, name: slug }).returning();
  return org;
}

async function bulkCreate(db: Db) {
  const org = await newOrg(db, "bench-bulk");
  await db.insert(webhooks).values({ orgId: org.id, name: "created", url: "http://127.0.0.1:9/hook", events: ["device.created"] });
  const times: number[] = [];
  for (let round = 0; round < 3; round++) {
    const inputs = Array.from({ length: 1_000 }, (_, i) =>
      deviceCreateSchema.parse({ udid: `bulk-${round}-${String(i).padStart(4, "0")}`, name: `Line 7 unit ${round}-${i}`, tags: "line-7" }),
    );
    const t0 = performance.now();
    const { devices } = await createDevices(db, { orgId: org.id, userId: null }, inputs);
    times.push(performance.now() - t0);
    if (devices.length !== 1_000) throw new Error(`bulk create made ${devices.length} devices`);
  }
  const best = Math.min(...times);
  record("features", "bulk create 1,000 devices (one request, best of 3)", `${ms(best)} (runs ${times.map((t) => t.toFixed(0)).join(", ")} ms)`, "< 2 s", best < 2_000);
}

async function bulkDesired(db: Db) {
  const N = 10_000;
  const org = await newOrg(db, "bench-desired");
  await db.execute(sql`
    insert into devices (org_id, udid, name, tags, status)
    select ${org.id}, 'udid-' || g, 'Device ' || lpad(g::text, 6, '0'),
           case when g <= ${N} then array['fleet', 'lab-' || (g % 20)] else array['lab-' || (g % 20)] end, 'online'
    from generate_series(1, ${N + 2_000}) g`);
  await db.insert(webhooks).values({
    orgId: org.id,
    name: "config",
    url: "http://127.0.0.1:9/hook",
    events: ["device.config.written", "device.firmware.update_requested"],
  });
  await db.execute(sql`analyze devices`);
  const times: number[] = [];
  for (let round = 1; round <= 3; round++) {
    const input = desiredBulkSchema.parse({ tag: "fleet", set: { sampleRate: 10 * round }, firmware: "set", firmwareVersion: `3.${round}.0` });
    const t0 = performance.now();
    const result = await bulkWriteDesired(db, { orgId: org.id, userId: null }, input);
    times.push(performance.now() - t0);
    if (result.changed !== N) throw new Error(`bulk desired changed ${result.changed} devices`);
  }
  const best = Math.min(...times);
  record("features", "desired config to 10,000 devices by tag (one transaction)", `${ms(best)} (runs ${times.map((t) => t.toFixed(0)).join(", ")} ms)`, "< 2 s", best < 2_000);
}

async function overview(db: Db) {
  const DEVICES = 100_000;
  const EVENTS = 10_000_000;
  const DAYS = 90;
  const TYPES = ["device.status.online", "device.status.offline", "device.state.utilizing", "device.state.unplugged", "device.telemetry", "device.registered", "device.authentication.failed", "device.created"];
  const org = await newOrg(db, "bench-fleet");
  const now = new Date();
  const nowIso = now.toISOString();
  const buckets = (DAYS * 86_400) / 300;
  await db.execute(sql`
    insert into devices (org_id, udid, name, tags, status, last_seen_at, presence_deadline)
    select ${org.id}, 'udid-' || g, 'Device ' || lpad(g::text, 6, '0'), array['lab-' || (g % 20)],
           case when g % 50 = 0 then 'offline' else (array['online','offline','utilizing','unplugged'])[1 + g % 4] end,
           case when g % 50 = 0 then null else ${nowIso}::timestamptz - (g || ' seconds')::interval end,
           ${nowIso}::timestamptz + interval '5 minutes'
    from generate_series(1, ${DEVICES}) g`);
  // 10 million events as the rollup stores them: ~26,000 five-minute buckets × 8 types
  const perBucketType = Math.round(EVENTS / buckets / TYPES.length);
  const bucketSql = sql`date_bin('5 minutes', ${nowIso}::timestamptz - (b * 300 || ' seconds')::interval, timestamptz '1970-01-01')`;
  await db.execute(sql`
    insert into fleet_event_counts (org_id, bucket, type, count)
    select ${org.id}, ${bucketSql}, t, ${perBucketType} from generate_series(0, ${buckets - 1}) b, unnest(${sql.param(TYPES)}::text[]) t`);
  await db.execute(sql`
    insert into fleet_delivery_counts (org_id, bucket, outcome, count)
    select ${org.id}, ${bucketSql}, oc, 100 from generate_series(0, ${buckets - 1}) b, unnest(array['succeeded','failed']) oc`);
  await db.execute(sql`
    insert into fleet_status_samples (org_id, bucket, online, offline, utilizing, unplugged, never_connected)
    select ${org.id}, ${bucketSql}, 25000, 23000, 25000, 25000, 2000 from generate_series(0, ${buckets - 1}) b`);
  await db.execute(sql`analyze`);
  for (const range of ["24h", "7d"] as const) {
    const times: number[] = [];
    for (let i = 0; i < 7; i++) {
      const t0 = performance.now();
      await fleetOverview(db, org.id, range, now);
      times.push(performance.now() - t0);
    }
    const p50 = percentile(times, 50);
    record("features", `fleet overview ${range}, 100 K devices / 10 M events (median of 7)`, ms(p50), "≤ 200 ms", p50 <= 200);
  }
}

export async function benchFeatures(db: Db) {
  console.log("\n5. Features: bulk create, bulk desired config, fleet overview");
  await bulkCreate(db);
  checkDeadline();
  await bulkDesired(db);
  checkDeadline();
  await overview(db);
}
