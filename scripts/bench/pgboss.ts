// Section 2b: the same signed deliveries through pg-boss 12, as a baseline measured in the same run (issue #21).
// A user comparing Signalpost with a job queue they already know would write this: one job per (event, webhook),
// a worker that builds the same body with the same request builder, signs it (Standard Webhooks, the same secrets)
// and posts it with a keep-alive pool. Tuned in pg-boss's favour: batch fetch, several local workers, LISTEN/NOTIFY
// on, burst fetching while batches come back full, no cron or supervision in the background. It records only the
// job's state (completed), where the engine records each attempt with its request and response.
// pg-boss lives in its own schema of the bench database, dropped at the end.
import { sql } from "drizzle-orm";
import { PgBoss } from "pg-boss";
import { Webhook } from "standardwebhooks";
import { Pool as HttpPool } from "undici";
import { queryRows, type Db } from "@/db/client";
import { webhooks } from "@/db/schema";
import { buildEventEnvelope } from "@/lib/webhooks/envelope";
import { buildWebhookRequest } from "@/lib/webhooks/request";
import { getSigningSecrets } from "@/lib/webhooks/secrets";
import { webhookSettingsFromRow } from "@/lib/webhooks/settings";
import { signRequest } from "@/lib/webhooks/signing";
import type { StoredEvent, WebhookSettings } from "@/lib/webhooks/types";
import { DELIVERY_CONCURRENCY, sleep } from "./config";
import { cpuMeter, perDelivery } from "./cpu";
import { engineCpuPerDelivery, engineDeliveryRate } from "./delivery";
import { record } from "./report";
import { createWebhook } from "./seed";
import { startReceiver } from "./server";

const SCHEMA = "bench_pgboss";
const QUEUE = "webhook-delivery";
const WORKERS = Number(process.env.BENCH_PGBOSS_WORKERS ?? 8);
const BATCH = Number(process.env.BENCH_PGBOSS_BATCH ?? 50);

type JobData = { webhookId: number; event: Omit<StoredEvent, "createdAt"> & { createdAt: string } };

export async function benchPgBoss(db: Db, orgId: number, databaseUrl: string) {
  console.log("\n2b. The same deliveries through pg-boss");
  const receiver = await startReceiver(false);
  const hooks: { id: number }[] = [];
  for (let i = 0; i < 4; i++) hooks.push(await createWebhook(db, orgId, `bench-pgboss-${i}`, receiver.url, ["device.telemetry"]));
  const EVENTS = 5000; // as in section 2: 5,000 events × 4 webhooks
  const total = EVENTS * hooks.length;

  // what the engine's context cache holds: each webhook's settings and signing secrets, read once
  const rows = await db.select().from(webhooks).where(sql`${webhooks.name} like 'bench-pgboss-%'`);
  const secrets = await getSigningSecrets(db, rows.map((r) => r.id), new Date());
  const context = new Map<number, { settings: WebhookSettings; name: string; secrets: string[] }>();
  for (const r of rows) context.set(r.id, { settings: webhookSettingsFromRow(r), name: r.name, secrets: secrets.get(r.id) ?? [] });

  const boss = new PgBoss({
    connectionString: databaseUrl,
    schema: SCHEMA,
    max: 10, // the engine's process pool (DATABASE_POOL_SIZE default)
    useListenNotify: true,
    schedule: false,
    supervise: false,
  });
  boss.on("error", (err) => console.error("  pg-boss:", err.message));
  const http = new HttpPool(receiver.origin, { connections: DELIVERY_CONCURRENCY, pipelining: 1, keepAliveTimeout: 30_000 });
  try {
    await boss.start();
    await boss.createQueue(QUEUE, { notify: true, retryLimit: 3 });
    const createdAt = new Date().toISOString();
    for (let start = 0; start < total; start += 1000) {
      await boss.insert(
        QUEUE,
        Array.from({ length: Math.min(1000, total - start) }, (_, i) => {
          const n = start + i;
          const g = Math.floor(n / hooks.length) + 1;
          const data: JobData = {
            webhookId: hooks[n % hooks.length].id,
            event: {
              id: `evt_pgboss${String(g).padStart(8, "0")}`,
              orgId,
              type: "device.telemetry",
              deviceUdid: "bench-00001",
              deviceName: "Bench device 1",
              payload: { signals: { temperature: 21.5, battery: 87 } },
              createdAt,
            },
          };
          return { data };
        }),
      );
    }

    let failures = 0;
    let handled = 0;
    const build = (data: JobData) => {
      const ctx = context.get(data.webhookId)!;
      const event: StoredEvent = { ...data.event, createdAt: new Date(data.event.createdAt) };
      return signRequest(
        buildWebhookRequest(ctx.settings, buildEventEnvelope(event, { id: data.webhookId, name: ctx.name })),
        event.id,
        new Date(),
        ctx.secrets,
      );
    };
    // what a receiver would check: the body of a job fetched from pg-boss verifies with the webhook's secret
    const [sample] = await boss.fetch<JobData>(QUEUE);
    const sampleRequest = build(sample.data);
    new Webhook(context.get(sample.data.webhookId)!.secrets[0]).verify(sampleRequest.body, sampleRequest.headers);
    await boss.deleteJob(QUEUE, sample.id);
    await boss.send(QUEUE, sample.data);
    const deliver = async (data: JobData) => {
      const built = build(data);
      const url = new URL(built.url);
      const res = await http.request({ path: url.pathname + url.search, method: built.method as "POST", headers: built.headers, body: built.body });
      await res.body.text();
      if (res.statusCode < 200 || res.statusCode >= 300) {
        failures++;
        throw new Error(`receiver answered ${res.statusCode}`);
      }
    };
    // at most DELIVERY_CONCURRENCY requests in flight, as for the engine: the HTTP pool queues the rest
    const cpu = await cpuMeter("pgboss", receiver.pid);
    const started = performance.now();
    await boss.work<JobData>(
      QUEUE,
      { batchSize: BATCH, localConcurrency: WORKERS, burstWhenBatchFull: true, pollingIntervalSeconds: 0.5 },
      async (jobs) => {
        await Promise.all(jobs.map((job) => deliver(job.data)));
        handled += jobs.length;
      },
    );
    const countCompleted = async () =>
      (await queryRows<{ n: number }>(db, sql`select count(*)::int as n from ${sql.identifier(SCHEMA)}.job where name = ${QUEUE} and state = 'completed'`))[0].n;
    // done when pg-boss has recorded every job completed; counted in the database only once every handler has
    // returned, so the polling itself costs PostgreSQL next to nothing
    let completed = 0;
    while (completed < total && performance.now() - started < 120_000) {
      await sleep(10);
      if (handled >= total) completed = await countCompleted();
    }
    if (completed < total) completed = await countCompleted();
    const seconds = (performance.now() - started) / 1000;
    const cpuSplit = await cpu.stop();
    const rate = completed / seconds;
    await boss.offWork(QUEUE);
    record(
      "pg-boss",
      `${total} deliveries to 4 webhooks (pg-boss ${WORKERS} workers × batch ${BATCH}, ≤ ${DELIVERY_CONCURRENCY} requests in flight)`,
      `${rate.toFixed(0)} deliveries/s (${completed} completed in ${seconds.toFixed(1)} s, receiver got ${await receiver.count()}, failures ${failures})`,
    );
    record("pg-boss", "CPU per delivery (pg-boss worker)", perDelivery(cpuSplit, completed));
    if (engineDeliveryRate !== undefined) {
      const ratio = engineDeliveryRate / rate;
      record("pg-boss", "engine ÷ pg-boss (section 2's rate ÷ this one)", `${ratio.toFixed(2)}`, "≥ 1.0", ratio >= 1);
    }
    if (engineCpuPerDelivery !== undefined) {
      // the same ratio from CPU time (all three parties), which a busy machine disturbs much less than throughput
      const pgBossCpu = (cpuSplit.selfMs + cpuSplit.postgresMs + cpuSplit.receiverMs) / completed;
      record("pg-boss", "engine ÷ pg-boss by CPU per delivery (pg-boss's ÷ the engine's)", `${(pgBossCpu / engineCpuPerDelivery).toFixed(2)}`);
    }
  } finally {
    receiver.stop();
    await http.close();
    await boss.stop({ graceful: false, close: true }).catch(() => undefined);
    await db.execute(sql`drop schema if exists ${sql.identifier(SCHEMA)} cascade`);
    await db.execute(sql`delete from webhooks where name like 'bench-pgboss-%'`);
  }
}
