// Section 2: delivery throughput of the engine (processOutbox, as `npm run worker` runs it) against a raw HTTP loop.
import { sql } from "drizzle-orm";
import { Pool as HttpPool } from "undici";
import { queryRows, type Db } from "@/db/client";
import { processOutbox } from "@/lib/delivery/pass";
import { DELIVERY_CONCURRENCY, sleep } from "./config";
import { cpuMeter, perDelivery } from "./cpu";
import { record } from "./report";
import { createWebhook } from "./seed";
import { startReceiver } from "./server";

/** Section 2's engine rate (deliveries/s) and CPU ms per delivery (all parties), for the pg-boss section's ratios. */
export let engineDeliveryRate: number | undefined;
export let engineCpuPerDelivery: number | undefined;

export async function benchDelivery(db: Db, orgId: number) {
  console.log("\n2. Delivery throughput vs a raw HTTP loop");
  const receiver = await startReceiver(false);
  const hooks = [];
  for (let i = 0; i < 4; i++) hooks.push(await createWebhook(db, orgId, `bench-throughput-${i}`, receiver.url, ["device.telemetry"]));
  const EVENTS = 5000;
  await db.execute(sql`
    insert into events (id, org_id, type, device_udid, device_name, payload, created_at)
    select 'evt_bench' || lpad(g::text, 8, '0'), ${orgId}, 'device.telemetry', 'bench-00001', 'Bench device 1',
           '{"signals":{"temperature":21.5,"battery":87}}'::jsonb, now()
    from generate_series(1, ${EVENTS}) g`);
  await db.execute(sql`
    insert into outbox (org_id, event_id, webhook_id, next_attempt_at)
    select ${orgId}, 'evt_bench' || lpad(g::text, 8, '0'), w.id, now()
    from generate_series(1, ${EVENTS}) g cross join (select id from webhooks where name like 'bench-throughput-%') w`);
  const total = EVENTS * hooks.length;
  const cpu = await cpuMeter("delivery", receiver.pid);
  const started = performance.now();
  let delivered = 0;
  while (delivered < total && performance.now() - started < 120_000) {
    const r = await processOutbox({ batchSize: 500, concurrency: DELIVERY_CONCURRENCY, budgetMs: 5_000 });
    delivered += r.succeeded;
    if (r.claimed === 0) await sleep(50); // rows given back by the fairness cap are due again in a second
  }
  const seconds = (performance.now() - started) / 1000;
  const cpuSplit = await cpu.stop();
  const rate = delivered / seconds;
  engineDeliveryRate = rate;
  engineCpuPerDelivery = (cpuSplit.selfMs + cpuSplit.postgresMs + cpuSplit.receiverMs) / delivered;
  const [{ pending }] = await queryRows<{ pending: number }>(db, sql`select count(*)::int as pending from outbox where status = 'pending'`);

  // The HTTP ceiling: the same bodies posted by a bare undici loop at the same concurrency.
  const body = JSON.stringify({
    eventId: "evt_bench00000001", creationTime: new Date().toISOString(), eventType: "DEVICE",
    eventActivity: "device.telemetry", eventDescription: "Telemetry", deviceUdid: "bench-00001",
    deviceName: "Bench device 1", orgId, webhookId: hooks[0].id, webhookName: hooks[0].name,
    data: { signals: { temperature: 21.5, battery: 87 } },
  });
  const pool = new HttpPool(receiver.origin, { connections: DELIVERY_CONCURRENCY });
  const rawStarted = performance.now();
  let sent = 0;
  await Promise.all(
    Array.from({ length: DELIVERY_CONCURRENCY }, async () => {
      while (sent < total) {
        sent++;
        const res = await pool.request({ path: "/hook", method: "POST", headers: { "content-type": "application/json", "webhook-id": "x" }, body });
        await res.body.text();
      }
    }),
  );
  const rawRate = total / ((performance.now() - rawStarted) / 1000);
  await pool.close();
  receiver.stop();
  record("delivery", `${total} deliveries to 4 webhooks (c=${DELIVERY_CONCURRENCY})`, `${rate.toFixed(0)} deliveries/s (${delivered} delivered in ${seconds.toFixed(1)} s, ${pending} left)`, "≥ 2,000/s", rate >= 2000 && pending === 0);
  record("delivery", "CPU per delivery (engine)", perDelivery(cpuSplit, delivered));
  record("delivery", "raw undici loop, same bodies", `${rawRate.toFixed(0)} requests/s`);
  record("delivery", "engine vs raw loop", `${((rate / rawRate) * 100).toFixed(0)} %`, "≥ 50 %", rate / rawRate >= 0.5);
  await db.execute(sql`delete from webhooks where name like 'bench-throughput-%'`);
}

