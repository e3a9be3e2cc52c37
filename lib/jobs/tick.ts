import "server-only";
import { getDb, type Db } from "@/db/client";
import { markStaleDevicesOffline } from "@/lib/devices/presence";
import { processOutbox } from "@/lib/delivery/pass";
import { resumeParkedDeliveries } from "@/lib/delivery/write-back";
import { pruneDeliveries } from "@/lib/delivery/retention";
import { pruneTelemetry } from "@/lib/fleet/retention";
import { runFleetRollups } from "@/lib/fleet/rollup";
import { queueWebhookAlerts } from "@/lib/alerts/webhook-alerts";
import { queueApiKeyExpiryAlerts, queueRevokedTokenAlerts } from "@/lib/alerts/key-alerts";
import { processNotifications } from "@/lib/notifications/pass";
import { processEmailOutbox } from "@/lib/email/pass";
import { pruneEmails } from "@/lib/email/retention";
import { recordPresenceSweep } from "@/lib/metrics";

export type TickResult = {
  devicesMarkedOffline: number;
  resumed: number;
  claimed: number;
  succeeded: number;
  retried: number;
  failed: number;
  disabledWebhooks: number;
  /** Emails sent (or stored, without SMTP_URL), retried, failed for good. */
  emailsSent: number;
  emailsRetried: number;
  emailsFailed: number;
  pruned: number;
  /** Signals, events and old fleet aggregates removed by retention (SIGNAL_/EVENT_/FLEET_AGGREGATE_RETENTION_DAYS). */
  prunedTelemetry: number;
  /** Finished emails older than EMAIL_RETENTION_DAYS removed. */
  emailsPruned: number;
  durationMs: number;
};

const PRESENCE_BATCH = 500;

/**
 * One tick of the delivery engine, shared by the embedded loop, `npm run worker` and the cron route:
 * presence sweep (devices gone quiet → offline events), resume parked rows of re-enabled webhooks, delivery
 * batches until nothing is due or the budget passes, operational alerts, My notifications (each event / digests) and
 * the email outbox, then retention pruning
 * and the fleet aggregates. Returns counts.
 */
export async function runTick(opts: { now?: Date; budgetMs: number; db?: Db; workerId?: string }): Promise<TickResult> {
  const started = performance.now();
  const db = opts.db ?? (await getDb());
  const clock = () => opts.now ?? new Date();
  const left = () => opts.budgetMs - (performance.now() - started);
  const result: TickResult = {
    devicesMarkedOffline: 0,
    resumed: 0,
    claimed: 0,
    succeeded: 0,
    retried: 0,
    failed: 0,
    disabledWebhooks: 0,
    emailsSent: 0,
    emailsRetried: 0,
    emailsFailed: 0,
    pruned: 0,
    prunedTelemetry: 0,
    emailsPruned: 0,
    durationMs: 0,
  };

  for (let i = 0; i < 20; i++) {
    const n = await markStaleDevicesOffline(clock(), { limit: PRESENCE_BATCH, db });
    result.devicesMarkedOffline += n;
    if (n < PRESENCE_BATCH || left() <= 0) break;
  }
  recordPresenceSweep();
  result.resumed = await resumeParkedDeliveries(db, clock());

  do {
    const pass = await processOutbox({ now: opts.now, budgetMs: Math.max(1, left()), db, workerId: opts.workerId });
    result.claimed += pass.claimed;
    result.succeeded += pass.succeeded;
    result.retried += pass.retried;
    result.failed += pass.failed;
    result.disabledWebhooks += pass.disabledWebhooks;
    if (pass.claimed === 0) break;
  } while (left() > 0);

  // Emails go after webhook deliveries, with what is left of the budget (at least a moment: a webhook backlog must
  // not starve them). A failing email pass must not stop retention, so it is logged here and the tick goes on.
  // Operational alerts and My notifications become emails (each step on its own: one failing must not stop the rest)
  for (const [name, step] of [
    ["webhook alerts", () => queueWebhookAlerts(db, clock())],
    ["API key expiry alerts", () => queueApiKeyExpiryAlerts(db, clock())],
    ["revoked token alerts", () => queueRevokedTokenAlerts(db, clock())],
    ["notifications", () => processNotifications(db, clock(), Math.max(1, left()))],
  ] as const) {
    try {
      await step();
    } catch (err) {
      console.error(`[alerts] ${name} failed:`, err instanceof Error ? err.message : err);
    }
  }
  try {
    const mail = await processEmailOutbox({ db, now: opts.now, budgetMs: Math.max(1, left()) });
    result.emailsSent = mail.sent;
    result.emailsRetried = mail.retried;
    result.emailsFailed = mail.failed;
  } catch (err) {
    console.error("[email] pass failed:", err instanceof Error ? err.message : err);
  }

  result.pruned = await pruneDeliveries(db, clock());
  const telemetry = await pruneTelemetry(db, clock());
  result.prunedTelemetry = telemetry.signals + telemetry.events + telemetry.aggregates;
  // fleet overview aggregates: recent event/delivery buckets recounted (throttled), device statuses sampled
  await runFleetRollups(db, clock());
  result.emailsPruned = await pruneEmails(db, clock());
  result.durationMs = Math.round(performance.now() - started);
  return result;
}

const g = globalThis as unknown as { __signalpostLoop?: { stop: () => void } };

/**
 * The embedded delivery loop (EMBEDDED_WORKER, on by default): a tick every second, never overlapping (the next
 * one is scheduled when the previous finishes); errors are logged and the loop goes on. Idempotent per process.
 * Returns a stop function.
 */
export function startEmbeddedLoop(opts: { intervalMs?: number; budgetMs?: number } = {}): () => void {
  if (g.__signalpostLoop) return g.__signalpostLoop.stop;
  const intervalMs = opts.intervalMs ?? 1_000;
  const budgetMs = opts.budgetMs ?? 10_000;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const loop = async () => {
    if (stopped) return;
    try {
      await runTick({ budgetMs });
    } catch (err) {
      console.error("[delivery] tick failed:", err instanceof Error ? err.message : err);
    }
    if (!stopped) timer = setTimeout(loop, intervalMs);
  };
  timer = setTimeout(loop, intervalMs);
  const stop = () => {
    stopped = true;
    clearTimeout(timer);
    g.__signalpostLoop = undefined;
  };
  g.__signalpostLoop = { stop };
  return stop;
}
