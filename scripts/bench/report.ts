// The result table: each section records rows (and notes); at the end the table is printed, and a full run writes
// BENCHMARKS.md (hand-written analysis below "## Analysis" survives re-runs).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { CONCURRENCY, LOAD_SECONDS, ROOT, ROUNDS } from "./config";
import { cpuSample, cpuShare } from "./machine";

export type Row = { section: string; metric: string; value: string; target: string; ok: boolean | null };
export const rows: Row[] = [];
export const notes: string[] = [];

export function record(section: string, metric: string, value: string, target = "", ok: boolean | null = null) {
  rows.push({ section, metric, value, target, ok });
  console.log(`  ${ok === false ? "✗" : ok ? "✓" : "·"} ${section} · ${metric}: ${value}${target ? ` (target ${target})` : ""}`);
}

/** Runs a section and records the machine's CPU use and steal during it (see scripts/bench/machine.ts). */
export async function measuringMachine(section: string, run: () => Promise<void>): Promise<void> {
  const before = cpuSample();
  await run();
  const share = cpuShare(before, cpuSample());
  if (share) record(section, "machine during this section: CPU busy / stolen by the hypervisor", `${share.busy.toFixed(0)} % / ${share.steal.toFixed(1)} %`);
}

export function writeReport(versions: Record<string, string>) {
  const table = [
    "| section | metric | result | target | |",
    "| --- | --- | --- | --- | --- |",
    ...rows.map((r) => `| ${r.section} | ${r.metric} | ${r.value} | ${r.target} | ${r.ok === null ? "" : r.ok ? "✓" : "✗"} |`),
  ].join("\n");
  const cpu = os.cpus()[0]?.model ?? "unknown";
  const text = `# Benchmarks

Measured by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: one machine, one run, PostgreSQL on the same
machine, all load on 127.0.0.1 and bounded in time. Ratios compare against a baseline measured in the same run, since
these machines are shared and noisy.

- Machine: ${os.cpus().length} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.type()} ${os.release()}
- Versions: ${Object.entries(versions).map(([k, v]) => `${k} ${v}`).join(", ")}
- Server: \`npm start\` (production build: Next.js behind \`dist/server.cjs\`, whose fast path answers the device
  report routes; the bare route is a Next.js route handler), \`DATABASE_URL\` → PostgreSQL, \`EMBEDDED_WORKER=0\`; deliveries by the
  request's kick (its outbox rows, queued leased to the server process, which sends them at once) and by \`processOutbox\` in the
  benchmark process (as \`npm run worker\` does: section 2, and the backstop for retries in section 3)
- Baselines in the same run: a raw undici loop (section 2); the same signed deliveries through pg-boss (section 2b,
  its own schema, batch fetch, local workers, LISTEN/NOTIFY); section 5 starts a second server on embedded PGlite
  (no \`DATABASE_URL\`, a temporary \`PGLITE_DIR\`, its in-process delivery loop on), after the first one stopped
- Load: closed loop with ${CONCURRENCY} connections, the bare route and the status API taking turns (${ROUNDS} × ${LOAD_SECONDS / ROUNDS} s each); open loop at fixed rates (latency from the scheduled send time)

## Results

${table}

${notes.length ? `## Notes\n\n${notes.map((n) => `- ${n}`).join("\n")}\n` : ""}
## Reproduce

\`\`\`bash
npm ci
npm run bench            # builds, starts the app on a fresh PostgreSQL database, runs 1–5, writes this file
npm run bench -- --quick # shorter runs for a smoke check
\`\`\`
Environment: \`BENCH_PG_URL\` (default \`postgres://root@127.0.0.1:5432\`), \`BENCH_PORT\` (3290, and the next port for section 5), \`BENCH_CONCURRENCY\` (32, HTTP load),
\`BENCH_DELIVERY_CONCURRENCY\` (64, delivery engine, raw loop and pg-boss), \`BENCH_PGBOSS_WORKERS\` (8) and \`BENCH_PGBOSS_BATCH\` (50),
\`BENCH_CPU_PROF=<dir>\` (V8 CPU profiles of sections 2 and 2b), \`BENCH_SERVER_NODE_ARGS\` (Node flags for the server).
`;
  // Hand-written sections survive re-runs: from the first "## Analysis" or dated "## YYYY-MM-DD …" heading on.
  const file = path.join(ROOT, "BENCHMARKS.md");
  const previous = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
  const at = previous.search(/\n## (Analysis|\d{4}-\d{2}-\d{2})/);
  fs.writeFileSync(file, at >= 0 ? `${text}${previous.slice(at)}` : text);
}
