// Section 1: the status API against a bare route of the same app, taking turns, then latency at half the rate.
import { CONCURRENCY, LOAD_SECONDS, ORIGIN, ROUNDS, checkDeadline, ms } from "./config";
import { closedLoop, loadPool, openLoop, percentile, type LoadRequest, type LoadResult } from "./load";
import { record } from "./report";
import { statusRequester } from "./seed";
import { peakRssMb } from "./server";

/** One result for several runs of the same load: totals over the summed time, all latencies. */
function combine(results: LoadResult[]): LoadResult {
  const out: LoadResult = { requests: 0, ok: 0, errors: 0, statusCounts: {}, seconds: 0, rps: 0, latenciesMs: [] };
  for (const r of results) {
    out.requests += r.requests;
    out.ok += r.ok;
    out.errors += r.errors;
    out.seconds += r.seconds;
    for (const [k, v] of Object.entries(r.statusCounts)) out.statusCounts[k] = (out.statusCounts[k] ?? 0) + v;
    for (const l of r.latenciesMs) out.latenciesMs.push(l);
  }
  out.rps = out.ok / out.seconds;
  return out;
}

/** Section 1's status API rate on PostgreSQL (req/s, closed loop), for the embedded section's comparison. */
export let statusApiRate: number | undefined;

export async function benchStatusApi(udids: string[], tokens: string[], serverPid: number, settle?: () => Promise<void>) {
  console.log("\n1. Status API vs a bare route");
  const bare = (): LoadRequest => ({
    path: "/api/bench/baseline",
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ status: "online" }),
  });
  const status = statusRequester(udids, tokens);
  await closedLoop(ORIGIN, { concurrency: CONCURRENCY, seconds: 2, next: bare });
  await closedLoop(ORIGIN, { concurrency: CONCURRENCY, seconds: 2, next: status });
  // Bare route and status API take turns (ROUNDS each), so a change in the machine's speed during the run (these
  // machines are shared) weighs on both sides of the ratio alike.
  const rounds: { bare: LoadResult[]; status: LoadResult[] } = { bare: [], status: [] };
  for (let i = 0; i < ROUNDS; i++) {
    rounds.bare.push(await closedLoop(ORIGIN, { concurrency: CONCURRENCY, seconds: LOAD_SECONDS / ROUNDS, next: bare }));
    checkDeadline();
    rounds.status.push(await closedLoop(ORIGIN, { concurrency: CONCURRENCY, seconds: LOAD_SECONDS / ROUNDS, next: status }));
  }
  const b = combine(rounds.bare);
  const s = combine(rounds.status);
  const ratio = s.rps / b.rps;
  statusApiRate = s.rps;
  record("status API", `bare route (c=${CONCURRENCY}, ${ROUNDS} × ${LOAD_SECONDS / ROUNDS} s)`, `${b.rps.toFixed(0)} req/s, p50 ${ms(percentile(b.latenciesMs, 50))}, p99 ${ms(percentile(b.latenciesMs, 99))}`);
  record("status API", `status changes (c=${CONCURRENCY}, ${ROUNDS} × ${LOAD_SECONDS / ROUNDS} s, alternating with the bare route)`, `${s.rps.toFixed(0)} req/s, p50 ${ms(percentile(s.latenciesMs, 50))}, p99 ${ms(percentile(s.latenciesMs, 99))}, errors ${s.errors} ${JSON.stringify(s.statusCounts)}`);
  record("status API", "throughput vs bare route", `${(ratio * 100).toFixed(0)} %`, "≥ 60 %", ratio >= 0.6);
  const rate = Math.max(10, Math.round(s.rps / 2));
  // on a settled database, over connections a 2 s warm-up at the same rate opened (as section 3 does)
  await settle?.();
  const connections = loadPool(ORIGIN);
  await openLoop(ORIGIN, { rate, seconds: 2, next: status, pool: connections });
  const half = await openLoop(ORIGIN, { rate, seconds: LOAD_SECONDS, next: status, pool: connections });
  await connections.close();
  const p99 = percentile(half.latenciesMs, 99);
  record("status API", `latency at ${rate} req/s (half of max)`, `p50 ${ms(percentile(half.latenciesMs, 50))}, p99 ${ms(p99)}, errors ${half.errors}`, "p99 ≤ 50 ms", p99 <= 50 && half.errors === 0);
  record("memory", "server peak RSS after 1", `${peakRssMb(serverPid).toFixed(0)} MB`);
}
