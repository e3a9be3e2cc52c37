import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "@/db/client";
import { processOutbox } from "@/lib/delivery/pass";
import { closeSendPools, sendHttpRequest } from "@/lib/delivery/send";
import type { BuiltRequest } from "@/lib/webhooks/types";
import { emitOffline, insertWebhook, seedDeliveryOrg } from "../delivery/helpers";
import { behaviours, startReceiver, type Receiver } from "../support/receiver";
import { useReliabilityDatabase } from "./support/db";
import { startMisbehavingServer } from "./support/receivers";

// Fault: receivers that answer after the timeout, never answer, or never finish their body. With
// WEBHOOK_TIMEOUT_MS=500 every such attempt ends within the timeout (plus scheduling slack), and a healthy
// webhook's deliveries keep flowing in the same pass with the default concurrency.
const TIMEOUT_MS = 500;
const EVENTS = 200;
const CONCURRENCY = 16;

describe("fault: slow and never-closing receivers", () => {
  const t = useReliabilityDatabase();
  let healthy: Receiver;
  let slow: Receiver;
  let silent: Awaited<ReturnType<typeof startMisbehavingServer>>;
  let trickle: Awaited<ReturnType<typeof startMisbehavingServer>>;
  const saved = process.env.WEBHOOK_TIMEOUT_MS;
  beforeAll(async () => {
    process.env.WEBHOOK_TIMEOUT_MS = String(TIMEOUT_MS);
    await closeSendPools(); // pools are built with the timeout in force
    healthy = await startReceiver(behaviours.ok());
    slow = await startReceiver(behaviours.slow(3_000)); // answers 200, but only after 3 s
    silent = await startMisbehavingServer("silent");
    trickle = await startMisbehavingServer("trickle");
  });
  afterAll(async () => {
    await closeSendPools();
    await Promise.all([healthy.close(), slow.close(), silent.close(), trickle.close()]);
    if (saved === undefined) delete process.env.WEBHOOK_TIMEOUT_MS;
    else process.env.WEBHOOK_TIMEOUT_MS = saved;
  });

  it("timeouts hold for a slow, a silent and a never-ending receiver, and a healthy webhook keeps flowing", async () => {
    const db = t.db;
    const { org, device } = await seedDeliveryOrg(db);
    const hooks = {
      healthy: (await insertWebhook(db, org.id, `${healthy.url}/ok`, { name: "healthy" })).hook.id,
      slow: (await insertWebhook(db, org.id, `${slow.url}/slow`, { name: "slow" })).hook.id,
      silent: (await insertWebhook(db, org.id, `${silent.url}/silent`, { name: "silent" })).hook.id,
      trickle: (await insertWebhook(db, org.id, `${trickle.url}/trickle`, { name: "trickle" })).hook.id,
    };
    await emitOffline(db, org, device, new Date(), EVENTS);

    // the real transport, wrapped to count requests in flight per receiver
    const inFlight = { healthy: 0, bad: 0 };
    let healthyDone = 0;
    let maxBadWhileHealthyWaits = 0;
    let passes = 0;
    const send = async (built: BuiltRequest) => {
      const isHealthy = built.url.startsWith(healthy.url);
      if (isHealthy) inFlight.healthy++;
      else {
        inFlight.bad++;
        if (healthyDone < EVENTS && passes === 0) maxBadWhileHealthyWaits = Math.max(maxBadWhileHealthyWaits, inFlight.bad);
      }
      try {
        return await sendHttpRequest(built);
      } finally {
        if (isHealthy) {
          inFlight.healthy--;
          healthyDone++;
        } else inFlight.bad--;
      }
    };

    const started = Date.now();
    let healthyDoneAfterMs: number | null = null;
    void healthy.waitForRequests(EVENTS, 120_000).then(
      () => (healthyDoneAfterMs = Date.now() - started),
      () => undefined,
    );
    // passes as a worker runs them (10 s budget, the worker's default), until the healthy webhook is through
    // (bounded); the slot count is taken in the first pass, which claims rows of all four webhooks together
    let retried = 0;
    while (healthyDone < EVENTS && Date.now() - started < 90_000) {
      const pass = await processOutbox({ budgetMs: 10_000, concurrency: CONCURRENCY, send });
      passes++;
      retried += pass.retried;
    }
    const passMs = Date.now() - started;

    // the slow receivers never held the healthy webhook's share of the slots: with 4 active webhooks each gets a
    // quarter of them, so at most 3/4 were ever busy with the bad ones while healthy deliveries were waiting
    expect(maxBadWhileHealthyWaits).toBeLessThanOrEqual(CONCURRENCY - CONCURRENCY / 4);
    expect(maxBadWhileHealthyWaits).toBeGreaterThan(0);

    // the healthy webhook got every event, once
    expect(healthy.requests).toHaveLength(EVENTS);
    expect(new Set(healthy.requests.map((r) => r.headers["webhook-id"])).size).toBe(EVENTS);
    const [ok] = await queryRows<{ n: number }>(
      db,
      sql`select count(*)::int as n from outbox where webhook_id = ${hooks.healthy} and status = 'succeeded'`,
    );
    expect(ok.n).toBe(EVENTS);
    expect(healthyDoneAfterMs).not.toBeNull();

    // every attempt at a bad receiver timed out, and none took much longer than the timeout
    const bad = await queryRows<{ webhook_id: number; n: number; timeouts: number; max_ms: number; ok: number }>(
      db,
      sql`select webhook_id, count(*)::int as n,
                 count(*) filter (where error = ${`timed out after ${TIMEOUT_MS / 1000} s`})::int as timeouts,
                 max(duration_ms)::int as max_ms,
                 count(*) filter (where response_status between 200 and 299)::int as ok
          from delivery_attempts where webhook_id <> ${hooks.healthy} group by webhook_id order by webhook_id`,
    );
    expect(bad.map((b) => b.webhook_id)).toEqual([hooks.slow, hooks.silent, hooks.trickle]);
    for (const b of bad) {
      expect(b.n).toBeGreaterThan(0);
      expect(b.timeouts).toBe(b.n);
      expect(b.ok).toBe(0);
      expect(b.max_ms).toBeLessThan(TIMEOUT_MS + 2_500); // generous slack for a loaded machine; never the 3 s answer or forever
    }
    // the timed-out rows are pending again for their retry, not lost and not failed
    const [states] = await queryRows<{ pending: number; failed: number }>(
      db,
      sql`select count(*) filter (where status = 'pending')::int as pending, count(*) filter (where status = 'failed')::int as failed
          from outbox where webhook_id <> ${hooks.healthy}`,
    );
    expect(states.failed).toBe(0);
    expect(silent.connections()).toBeGreaterThan(0);
    expect(trickle.connections()).toBeGreaterThan(0);
    console.log(
      `[reliability] slow receivers: healthy webhook got ${EVENTS}/${EVENTS} in ${healthyDoneAfterMs} ms while ` +
        bad.map((b) => `${b.n} attempts (max ${b.max_ms} ms)`).join(", ") +
        ` timed out at the slow/silent/never-ending receivers; ${passes} pass(es) in ${passMs} ms, ${retried} retries ` +
        `scheduled; at most ${maxBadWhileHealthyWaits} of ${CONCURRENCY} slots held by the bad receivers`,
    );
  });
});
