// Operational metrics (Prometheus, prom-client): one registry per process, kept on globalThis so the route bundles
// and the instrumentation hook of Next.js share it. A leaf module: it imports nothing from the domain folders; the
// engine, the status API and the presence sweep call the record* functions below (counter/histogram calls only,
// label values from small fixed sets), and the scrape (lib/jobs/metrics.ts) sets the gauges read from SQL.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export type AttemptKind = "succeeded" | "retried" | "failed";

function build() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "signalpost_" });
  const outboxDepth = new Gauge({
    name: "signalpost_outbox_depth",
    help: "Outbox rows by state: pending_due, pending_leased, pending_scheduled (retry later), parked (webhook disabled), failed_1h (failed for good in the last hour). Each count stops at 100000.",
    labelNames: ["state"] as const,
    registers: [registry],
  });
  const oldestPending = new Gauge({
    name: "signalpost_outbox_oldest_pending_age_seconds",
    help: "Age of the oldest due pending outbox row (since it was due), 0 when none.",
    registers: [registry],
  });
  const webhooksDisabled = new Gauge({
    name: "signalpost_webhooks_disabled",
    help: "Webhooks that are disabled (by hand or automatically).",
    registers: [registry],
  });
  const attempts = new Counter({
    name: "signalpost_delivery_attempts_total",
    help: "Delivery attempts by outcome (succeeded, retried, failed).",
    labelNames: ["outcome"] as const,
    registers: [registry],
  });
  const deliveries = new Counter({
    name: "signalpost_deliveries_total",
    help: "Deliveries finished, by outcome (succeeded, failed).",
    labelNames: ["outcome"] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: "signalpost_delivery_latency_seconds",
    help: "From event creation to the 2xx answer of the receiver.",
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 3600],
    registers: [registry],
  });
  const sendDuration = new Histogram({
    name: "signalpost_delivery_send_duration_seconds",
    help: "Duration of one webhook HTTP request (sent to answered or failed).",
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const statusRequests = new Histogram({
    name: "signalpost_status_api_request_duration_seconds",
    help: "Device status API requests by HTTP status code, and their duration.",
    labelNames: ["code"] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const presenceLag = new Gauge({
    name: "signalpost_presence_sweep_lag_seconds",
    help: "How overdue the most overdue device still online is (now − its presence deadline; 0 when none is overdue). Stays near the tick interval while the sweep keeps up.",
    registers: [registry],
  });
  const presenceLastRun = new Gauge({
    name: "signalpost_presence_sweep_last_run_timestamp_seconds",
    help: "When this process last ran the presence sweep (Unix time).",
    registers: [registry],
  });
  // children made once: the hot path only increments/observes
  return {
    registry,
    outboxDepth,
    oldestPending,
    webhooksDisabled,
    attempts: { succeeded: attempts.labels("succeeded"), retried: attempts.labels("retried"), failed: attempts.labels("failed") },
    deliveries: { succeeded: deliveries.labels("succeeded"), failed: deliveries.labels("failed") },
    latency,
    sendDuration,
    statusRequests,
    presenceLag,
    presenceLastRun,
  };
}

type Metrics = ReturnType<typeof build>;
const g = globalThis as unknown as { __signalpostMetrics?: Metrics };

/** The process's metrics (made on first use). */
export function metrics(): Metrics {
  g.__signalpostMetrics ??= build();
  return g.__signalpostMetrics;
}

/**
 * One attempt's outcome, from the delivery engine: the attempt counter, the delivery counter when the delivery is
 * over, the send duration when a request went out, the latency from event creation when it succeeded.
 */
export function recordAttempt(kind: AttemptKind, sentMs: number | null, eventCreatedAt: Date | null | undefined): void {
  const m = metrics();
  m.attempts[kind].inc();
  if (kind !== "retried") m.deliveries[kind].inc();
  if (sentMs !== null) m.sendDuration.observe(sentMs / 1000);
  if (kind === "succeeded" && eventCreatedAt) m.latency.observe(Math.max(0, Date.now() - eventCreatedAt.getTime()) / 1000);
}

/** Status codes as labels: the codes the status API answers with, anything else as its class ("5xx"). */
const KNOWN_CODES = new Set([200, 304, 400, 401, 404, 413, 415, 429, 500, 503]);

/** One status API request: its answer's code and how long it took (ms). */
export function recordStatusRequest(status: number, ms: number): void {
  const code = KNOWN_CODES.has(status) ? String(status) : `${Math.floor(status / 100)}xx`;
  metrics().statusRequests.labels(code).observe(ms / 1000);
}

/** A presence sweep ran in this process. */
export function recordPresenceSweep(): void {
  metrics().presenceLastRun.set(Date.now() / 1000);
}

export type OutboxSnapshot = {
  pendingDue: number;
  pendingLeased: number;
  pendingScheduled: number;
  parked: number;
  failed: number;
  oldestPendingAgeSeconds: number;
  webhooksDisabled: number;
  presenceLagSeconds: number;
};

/** Sets the gauges read from the database at scrape time. */
export function setOutboxSnapshot(s: OutboxSnapshot): void {
  const m = metrics();
  m.outboxDepth.labels("pending_due").set(s.pendingDue);
  m.outboxDepth.labels("pending_leased").set(s.pendingLeased);
  m.outboxDepth.labels("pending_scheduled").set(s.pendingScheduled);
  m.outboxDepth.labels("parked").set(s.parked);
  m.outboxDepth.labels("failed_1h").set(s.failed);
  m.oldestPending.set(s.oldestPendingAgeSeconds);
  m.webhooksDisabled.set(s.webhooksDisabled);
  m.presenceLag.set(s.presenceLagSeconds);
}

/** The registry's text (Prometheus exposition format) and its content type. */
export async function renderMetrics(): Promise<{ body: string; contentType: string }> {
  const m = metrics();
  return { body: await m.registry.metrics(), contentType: m.registry.contentType };
}
