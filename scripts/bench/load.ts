// Bounded HTTP load generators for the benchmark: a closed loop (N requests in flight for a fixed time) and an
// open loop (a fixed arrival rate, latency measured from each request's scheduled time so a slow server cannot
// hide its queueing). Both stop by themselves and only target the URL they are given.
import { Pool } from "undici";

export type LoadRequest = { path: string; method: "GET" | "POST"; headers?: Record<string, string>; body?: string };
export type LoadResult = {
  requests: number;
  ok: number;
  errors: number;
  statusCounts: Record<string, number>;
  seconds: number;
  rps: number;
  latenciesMs: number[];
};

/** p-th percentile (0–100) of a list of numbers. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx];
}

function assertLocal(origin: string) {
  const host = new URL(origin).hostname;
  if (!["127.0.0.1", "localhost", "[::1]"].includes(host)) throw new Error(`refusing to load ${origin}: not local`);
}

async function fire(
  pool: Pool,
  req: LoadRequest,
  result: LoadResult,
  onResponse?: (status: number, body: string, req: LoadRequest) => void,
): Promise<void> {
  try {
    const res = await pool.request({ path: req.path, method: req.method, headers: req.headers, body: req.body });
    const text = await res.body.text();
    result.statusCounts[res.statusCode] = (result.statusCounts[res.statusCode] ?? 0) + 1;
    if (res.statusCode >= 200 && res.statusCode < 300) result.ok++;
    else result.errors++;
    onResponse?.(res.statusCode, text, req);
  } catch (err) {
    result.errors++;
    const key = (err as Error).name || "error";
    result.statusCounts[key] = (result.statusCounts[key] ?? 0) + 1;
  }
}

/** Keeps `concurrency` requests in flight for `seconds`; `next()` makes each request. */
export async function closedLoop(
  origin: string,
  opts: { concurrency: number; seconds: number; next: () => LoadRequest; onResponse?: (s: number, b: string, r: LoadRequest) => void },
): Promise<LoadResult> {
  assertLocal(origin);
  const pool = new Pool(origin, { connections: opts.concurrency, pipelining: 1, keepAliveTimeout: 30_000 });
  const result: LoadResult = { requests: 0, ok: 0, errors: 0, statusCounts: {}, seconds: 0, rps: 0, latenciesMs: [] };
  const started = performance.now();
  const deadline = started + opts.seconds * 1000;
  await Promise.all(
    Array.from({ length: opts.concurrency }, async () => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        result.requests++;
        await fire(pool, opts.next(), result, opts.onResponse);
        result.latenciesMs.push(performance.now() - t0);
      }
    }),
  );
  result.seconds = (performance.now() - started) / 1000;
  result.rps = result.ok / result.seconds;
  await pool.close();
  return result;
}

/** Sends `rate` requests per second for `seconds` regardless of how fast answers come (open loop). */
export async function openLoop(
  origin: string,
  opts: {
    rate: number;
    seconds: number;
    maxConnections?: number;
    /** Connections to use (and leave open), e.g. the ones a warm-up opened; otherwise a pool of this run's own. */
    pool?: Pool;
    next: () => LoadRequest;
    onSent?: (req: LoadRequest, at: number) => void;
    onResponse?: (s: number, b: string, r: LoadRequest) => void;
  },
): Promise<LoadResult> {
  assertLocal(origin);
  const pool = opts.pool ?? loadPool(origin, opts.maxConnections);
  const result: LoadResult = { requests: 0, ok: 0, errors: 0, statusCounts: {}, seconds: 0, rps: 0, latenciesMs: [] };
  const total = Math.round(opts.rate * opts.seconds);
  const interval = 1000 / opts.rate;
  const started = performance.now();
  const inflight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const scheduled = started + i * interval;
    const wait = scheduled - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const req = opts.next();
    result.requests++;
    opts.onSent?.(req, performance.timeOrigin + scheduled);
    inflight.push(
      fire(pool, req, result, opts.onResponse).then(() => {
        result.latenciesMs.push(performance.now() - scheduled);
      }),
    );
  }
  await Promise.all(inflight);
  result.seconds = (performance.now() - started) / 1000;
  result.rps = result.ok / result.seconds;
  if (!opts.pool) await pool.close();
  return result;
}

/** The load generator's connections to `origin` (keep-alive, no pipelining). */
export function loadPool(origin: string, maxConnections = 128): Pool {
  assertLocal(origin);
  return new Pool(origin, { connections: maxConnections, pipelining: 1, keepAliveTimeout: 30_000 });
}
