import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { queryRows } from "@/db/client";
import { orgs } from "@/db/schema";
import { countDevicesByStatus, deviceListQueries, encodeCursor, listDevices } from "@/lib/devices/queries";
import { useTestDatabase as openTestDatabase } from "../support/db";

const db = openTestDatabase();
const N = 100_000;

async function explain(query: ReturnType<typeof sql>): Promise<string> {
  const rows = await queryRows<Record<string, string>>(db(), sql`explain (analyze, buffers off) ${query}`);
  return rows.map((r) => Object.values(r)[0]).join("\n");
}

// The devices page must stay fast with 100,000 devices in one org. Real planner numbers need the Postgres server.
describe.skipIf(!process.env.DATABASE_URL)("devices list at 100,000 devices (Postgres)", () => {
  it("keyset pages, filters and counts stay on indexes and fast", async () => {
    const [org] = await db().insert(orgs).values({ slug: "big", name: "Big" }).returning();
    const [other] = await db().insert(orgs).values({ slug: "other", name: "Other" }).returning();
    for (const o of [org, other]) {
      await db().execute(sql`
        insert into devices (org_id, udid, name, tags, status, last_seen_at, presence_deadline)
        select ${o.id}, 'udid-' || g, 'Device ' || lpad(g::text, 6, '0'),
               array['lab-' || (g % 20), case when g % 3 = 0 then 'android' else 'ios' end],
               (array['online','offline','utilizing','unplugged'])[1 + g % 4],
               now(), now() + interval '5 minutes'
        from generate_series(1, ${N}) g`);
    }
    await db().execute(sql`analyze devices`);

    // deep page via the keyset cursor
    let page = await listDevices(db(), org.id, { limit: 50 });
    expect(page.devices).toHaveLength(50);
    expect(page.totalCapped).toBe(true);
    const started = performance.now();
    for (let i = 0; i < 20; i++) page = await listDevices(db(), org.id, { limit: 50, after: page.nextCursor! });
    const perPage = (performance.now() - started) / 20;
    expect(page.devices[0].name).toBe("Device 001001");
    expect(perPage).toBeLessThan(100);

    // listDevices' own statements (deviceListQueries is what it runs), not hand-copied SQL
    const deep = deviceListQueries(org.id, { limit: 50, after: encodeCursor("Device 050000", 0) });
    const plan = await explain(deep.page);
    expect(plan).toContain("devices_org_name_idx");
    expect(plan).not.toMatch(/Sort Method|Seq Scan/);

    const tagPlan = await explain(deviceListQueries(org.id, { limit: 50, tag: "lab-7" }).page);
    expect(tagPlan).not.toContain("Seq Scan on devices");

    const t0 = performance.now();
    const filtered = await listDevices(db(), org.id, { limit: 50, status: "utilizing", tag: "lab-2", q: "Device 09" });
    const t1 = performance.now();
    const counts = await countDevicesByStatus(db(), org.id);
    const elapsed = performance.now() - t0;
    console.log(`filtered page ${(t1 - t0).toFixed(0)} ms, status counts ${(performance.now() - t1).toFixed(0)} ms`);
    expect(filtered.devices.length).toBeGreaterThan(0);
    expect(filtered.devices.every((d) => d.status === "utilizing" && d.tags.includes("lab-2"))).toBe(true);
    expect(counts).toEqual({ online: N / 4, offline: N / 4, utilizing: N / 4, unplugged: N / 4, never_connected: 0 });
    expect(elapsed).toBeLessThan(1000);
    // "config pending" / "config failed": a few hundred of 100,000 devices, found through the partial indexes
    await db().execute(sql`update devices set desired_version = 1 where org_id = ${org.id} and id % 500 = 0`);
    await db().execute(sql`update devices set reported_version = 1, reported_status = 'failed' where org_id = ${org.id} and id % 1000 = 0`);
    await db().execute(sql`analyze devices`);
    const c0 = performance.now();
    const pending = await listDevices(db(), org.id, { limit: 50, config: "pending" });
    const failed = await listDevices(db(), org.id, { limit: 50, config: "failed" });
    const configMs = performance.now() - c0;
    expect(pending.total).toBe(N / 500);
    expect(failed.total).toBe(N / 1000);
    expect(failed.devices.every((d) => d.configState === "failed")).toBe(true);
    const pendingPlan = await explain(
      sql`select id from devices where org_id = ${org.id} and desired_version > 0 and (reported_version < desired_version or reported_status is distinct from 'applied') order by name, id limit 51`,
    );
    expect(pendingPlan).toContain("devices_config_pending_idx");
    expect(configMs).toBeLessThan(500);
    console.log(`[devices list @100k] config pending + failed pages with counts ${configMs.toFixed(0)} ms`);
    console.log(`[devices list @100k] keyset page ≈ ${perPage.toFixed(1)} ms; filtered page + counts ${elapsed.toFixed(0)} ms\n${plan}`);
  }, 120_000);
});
