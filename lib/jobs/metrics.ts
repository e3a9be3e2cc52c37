import "server-only";
import { createHash, timingSafeEqual } from "node:crypto";
import { createServer, type Server } from "node:http";
import { sql, type SQL } from "drizzle-orm";
import { getDb, queryRows, type Db } from "@/db/client";
import { jsonError } from "@/lib/http/json";
import { renderMetrics, setOutboxSnapshot, type OutboxSnapshot } from "@/lib/metrics";

// The scrape: the gauges read from the database (a few bounded counts over partial indexes), then the process's
// registry as Prometheus text. Served by GET /api/metrics (METRICS_TOKEN) and, in `npm run worker`, on
// WORKER_METRICS_PORT.

/**
 * Each count stops here, so a scrape reads at most this many index entries per state, however large the backlog
 * (failed_1h: the failed ones among the latest DEPTH_CAP deliveries finished in the last hour).
 */
export const DEPTH_CAP = 100_000;

type SnapshotRow = {
  pending_due: number | string;
  pending_leased: number | string;
  pending_scheduled: number | string;
  parked: number | string;
  failed_1h: number | string;
  oldest_due: Date | string | null;
  webhooks_disabled: number | string;
  presence_oldest: Date | string | null;
};

/** The scrape's statement (exported so the plan test EXPLAINs it): every part reads a partial index, bounded. */
export function outboxSnapshotQuery(now: Date): SQL {
  const at = now.toISOString();
  return sql`select
      (select count(*) from (select 1 from outbox where status = 'pending' and next_attempt_at <= ${at}::timestamptz limit ${DEPTH_CAP}) x) as pending_due,
      (select count(*) from (select 1 from outbox where status = 'pending' and next_attempt_at > ${at}::timestamptz
          and next_attempt_at < 'infinity'::timestamptz and locked_until > ${at}::timestamptz limit ${DEPTH_CAP}) x) as pending_leased,
      (select count(*) from (select 1 from outbox where status = 'pending' and next_attempt_at > ${at}::timestamptz
          and next_attempt_at < 'infinity'::timestamptz and (locked_until is null or locked_until <= ${at}::timestamptz) limit ${DEPTH_CAP}) x) as pending_scheduled,
      (select count(*) from (select 1 from outbox where status = 'pending' and next_attempt_at = 'infinity'::timestamptz limit ${DEPTH_CAP}) x) as parked,
      (select count(*) filter (where status = 'failed') from (select status from outbox where status <> 'pending'
          and completed_at > ${at}::timestamptz - interval '1 hour' order by completed_at desc limit ${DEPTH_CAP}) x) as failed_1h,
      (select min(next_attempt_at) from outbox where status = 'pending' and next_attempt_at <= ${at}::timestamptz) as oldest_due,
      (select count(*) from webhooks where not enabled) as webhooks_disabled,
      (select min(presence_deadline) from devices where status <> 'offline' and presence_deadline <= ${at}::timestamptz) as presence_oldest`;
}

/** The outbox depth by state, the oldest due row, disabled webhooks and the presence lag, in one statement. */
export async function outboxSnapshot(db: Db, now: Date = new Date()): Promise<OutboxSnapshot> {
  const [r] = await queryRows<SnapshotRow>(db, outboxSnapshotQuery(now));
  const ageOf = (v: Date | string | null) => (v ? Math.max(0, (now.getTime() - new Date(v).getTime()) / 1000) : 0);
  return {
    pendingDue: Number(r.pending_due),
    pendingLeased: Number(r.pending_leased),
    pendingScheduled: Number(r.pending_scheduled),
    parked: Number(r.parked),
    failed: Number(r.failed_1h),
    oldestPendingAgeSeconds: ageOf(r.oldest_due),
    webhooksDisabled: Number(r.webhooks_disabled),
    presenceLagSeconds: ageOf(r.presence_oldest),
  };
}

/** Reads the gauges from the database (when it answers) and renders the registry. */
export async function scrapeMetrics(db?: Db): Promise<{ body: string; contentType: string }> {
  try {
    setOutboxSnapshot(await outboxSnapshot(db ?? (await getDb())));
  } catch (err) {
    // the process metrics still tell something when the database does not answer; the gauges keep their last value
    console.error("[metrics] could not read the outbox gauges:", err instanceof Error ? err.message : err);
  }
  return renderMetrics();
}

const digest = (value: string) => createHash("sha256").update(value).digest();

/**
 * Whether `authorization` carries `Bearer <METRICS_TOKEN>` (constant-time over SHA-256 digests). With METRICS_TOKEN
 * unset nothing is allowed: the metrics are never open by default.
 */
export function metricsAuthorized(authorization: string | null): boolean {
  const token = process.env.METRICS_TOKEN;
  if (!token) return false;
  const given = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "")?.[1] ?? "";
  return given.length > 0 && timingSafeEqual(digest(given), digest(token));
}

/** GET /api/metrics (and the worker's listener): 401 JSON unless authorized, else the Prometheus text. */
export async function handleMetricsRequest(req: Request): Promise<Response> {
  if (!metricsAuthorized(req.headers.get("authorization"))) {
    return jsonError(401, "unauthorized", "Missing or wrong Authorization: Bearer <METRICS_TOKEN> (an unset METRICS_TOKEN closes the metrics).", undefined, {
      "www-authenticate": 'Bearer realm="signalpost-metrics"',
      "cache-control": "no-store",
    });
  }
  const { body, contentType } = await scrapeMetrics();
  return new Response(body, { status: 200, headers: { "content-type": contentType, "cache-control": "no-store" } });
}

/**
 * The worker's metrics listener: GET /metrics (or /api/metrics) on `host:port`, same token rule as the route.
 * Resolves with the server once it listens.
 */
export function serveMetrics(port: number, host = "127.0.0.1"): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET" || (path !== "/metrics" && path !== "/api/metrics")) {
      res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: { code: "not_found", message: "GET /metrics" } }));
      return;
    }
    const request = new Request(`http://${host}${path}`, { headers: { authorization: req.headers.authorization ?? "" } });
    handleMetricsRequest(request)
      .then(async (response) => {
        res.writeHead(response.status, Object.fromEntries(response.headers)).end(await response.text());
      })
      .catch(() => res.writeHead(500).end());
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve(server));
  });
}
