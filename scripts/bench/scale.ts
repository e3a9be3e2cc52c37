// Section 4: the claim query as finished outbox rows pile up, and the devices page at 100,000 devices.
import { sql } from "drizzle-orm";
import { queryRows, type Db } from "@/db/client";
import { memberships, orgs } from "@/db/schema";
import { claimDueDeliveriesQuery } from "@/lib/delivery/claim";
import { ORIGIN, checkDeadline, ms } from "./config";
import { percentile } from "./load";
import { record } from "./report";
import { createWebhook } from "./seed";
import { signInCookie } from "./server";

async function explainClaim(db: Db): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    await db.transaction(async (tx) => {
      const [row] = await queryRows<{ "QUERY PLAN": [{ "Execution Time": number; "Planning Time": number }] }>(
        tx,
        sql`explain (analyze, format json) ${claimDueDeliveriesQuery({ now: new Date(), batchSize: 100, leaseMs: 60_000, workerId: "bench" })}`,
      );
      const plan = row["QUERY PLAN"][0];
      times.push(plan["Execution Time"] + plan["Planning Time"]);
      tx.rollback();
    }).catch((err) => {
      if (!/rollback/i.test(String(err?.message ?? err))) throw err;
    });
  }
  return percentile(times, 50);
}

export async function benchScale(db: Db, orgId: number, userId: number) {
  console.log("\n4. Scale: claim query and the devices page");
  const receiverUrl = "http://127.0.0.1:9/unused";
  const hook = await createWebhook(db, orgId, "bench-scale", receiverUrl, ["device.telemetry"]);
  await db.execute(sql`insert into events (id, org_id, type, payload) values ('evt_benchscale', ${orgId}, 'device.telemetry', '{}'::jsonb)`);
  await db.execute(sql`delete from outbox`);
  await db.execute(sql`
    insert into outbox (org_id, event_id, webhook_id, status, next_attempt_at)
    select ${orgId}, 'evt_benchscale', ${hook.id}, 'pending', now() - interval '1 second' from generate_series(1, 10000)`);
  const claimTimes: Record<string, number> = {};
  let finished = 0;
  for (const target of [10_000, 100_000, 1_000_000]) {
    checkDeadline();
    await db.execute(sql`
      insert into outbox (org_id, event_id, webhook_id, status, attempts, next_attempt_at, completed_at)
      select ${orgId}, 'evt_benchscale', ${hook.id}, 'succeeded', 1, now() - interval '1 day', now() - interval '1 day'
      from generate_series(1, ${target - finished})`);
    finished = target;
    await db.execute(sql`vacuum analyze outbox`);
    claimTimes[target] = await explainClaim(db);
    record("scale", `claim query, 10 K pending + ${target.toLocaleString("en")} finished`, ms(claimTimes[target]), "≤ 5 ms", claimTimes[target] <= 5);
  }
  const flat = claimTimes[1_000_000] / claimTimes[10_000];
  record("scale", "claim query 1 M vs 10 K", `${flat.toFixed(2)}×`, "≤ 2×", flat <= 2);
  await db.execute(sql`delete from outbox`);

  const [big] = await db.insert(orgs).values({ slug: "bench-100k", name: "Bench 100k" }).returning();
  await db.insert(memberships).values({ orgId: big.id, userId, role: "owner" });
  await db.execute(sql`
    insert into devices (org_id, udid, name, tags, status, last_seen_at)
    select ${big.id}, 'dev-' || lpad(g::text, 6, '0'), 'Device ' || lpad(g::text, 6, '0'),
           array['rack-' || (g % 50)::text], (array['online','offline','utilizing','unplugged'])[1 + g % 4], now()
    from generate_series(1, 100000) g`);
  await db.execute(sql`vacuum analyze devices`);
  const cookie = await signInCookie("bench@example.com");
  const times: number[] = [];
  for (let i = 0; i < 12; i++) {
    const t0 = performance.now();
    const res = await fetch(`${ORIGIN}/orgs/bench-100k/devices`, { headers: { cookie } });
    await res.text();
    if (res.status !== 200) throw new Error(`devices page answered ${res.status}`);
    if (i >= 2) times.push(performance.now() - t0);
  }
  const med = percentile(times, 50);
  record("scale", "devices page at 100,000 devices (median of 10)", ms(med), "≤ 150 ms", med <= 150);
}
