// npm run worker — a standalone delivery worker: the same tick as the embedded loop and the cron route, in a loop,
// against the Postgres of DATABASE_URL. Run as many as you like; they coordinate through row claims only.
import { getDatabase } from "@/db/client";
import { intEnv } from "@/lib/env";
import { closeSendPools } from "@/lib/delivery/send";
import { serveMetrics } from "@/lib/jobs/metrics";
import { runTick } from "@/lib/jobs/tick";
import { startEmailRenderThread } from "./email-render-thread";

async function main() {
  if (!process.env.DATABASE_URL) {
    console.error(
      "[worker] DATABASE_URL is not set. The worker runs against PostgreSQL; with the embedded database the web\n" +
        "         server's own loop delivers (an embedded PGlite must never be opened by two processes).",
    );
    process.exit(1);
  }
  const intervalMs = intEnv("WORKER_INTERVAL_MS", 1_000);
  const budgetMs = intEnv("WORKER_BUDGET_MS", 10_000);
  const workerId = `worker-${process.pid}`;
  // alerts are rendered here too, and react-dom/server cannot load under this script's react-server condition
  startEmailRenderThread();
  const handle = await getDatabase();
  console.log(`[worker] ${workerId} started (tick every ${intervalMs} ms when idle, budget ${budgetMs} ms).`);
  // this process's own metrics (same registry and token rule as GET /api/metrics), when WORKER_METRICS_PORT is set
  const metricsPort = intEnv("WORKER_METRICS_PORT", 0);
  const metricsServer = metricsPort > 0 ? await serveMetrics(metricsPort, process.env.WORKER_METRICS_HOST || "127.0.0.1") : null;
  if (metricsServer) console.log(`[worker] metrics on http://${process.env.WORKER_METRICS_HOST || "127.0.0.1"}:${metricsPort}/metrics`);

  let stopping = false;
  let wake: (() => void) | undefined;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`[worker] ${signal}: finishing the current tick, then exiting.`);
    wake?.();
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));

  while (!stopping) {
    let busy = false;
    try {
      const r = await runTick({ budgetMs, workerId });
      busy = r.claimed > 0;
      if (busy || r.devicesMarkedOffline || r.pruned || r.disabledWebhooks) {
        console.log(
          `[worker] sent ${r.claimed} (ok ${r.succeeded}, retry ${r.retried}, failed ${r.failed}), ` +
            `offline ${r.devicesMarkedOffline}, pruned ${r.pruned}, disabled ${r.disabledWebhooks} in ${r.durationMs} ms`,
        );
      }
    } catch (err) {
      console.error("[worker] tick failed:", err instanceof Error ? err.message : err);
    }
    if (!busy && !stopping) {
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, intervalMs);
      });
    }
  }
  metricsServer?.close();
  await closeSendPools();
  await handle.close();
  console.log("[worker] stopped.");
}

main().catch((err) => {
  console.error("[worker] fatal:", err);
  process.exit(1);
});
