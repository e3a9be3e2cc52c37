// The benchmark's flags, environment and constants, shared by every section (scripts/bench.ts is the entry).
export const args = new Set(process.argv.slice(2));
export const QUICK = args.has("--quick");
export const ONLY = [...args].find((a) => a.startsWith("--only="))?.slice("--only=".length).split(",");
export const SECTIONS = ["status", "delivery", "pgboss", "latency", "latency1000", "scale", "embedded"];
if (ONLY?.some((s) => !SECTIONS.includes(s))) throw new Error(`--only takes ${SECTIONS.join(", ")}`);
export const runs = (section: string) => !ONLY || ONLY.includes(section);
export const ROOT = process.cwd();
export const PG_BASE = (process.env.BENCH_PG_URL ?? "postgres://root@127.0.0.1:5432").replace(/\/$/, "");
export const PORT = Number(process.env.BENCH_PORT ?? 3290);
export const ORIGIN = `http://127.0.0.1:${PORT}`;
export const DIST = process.env.NEXT_DIST_DIR ?? ".next";
export const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
export const DELIVERY_CONCURRENCY = Number(process.env.BENCH_DELIVERY_CONCURRENCY ?? 64);
export const LOAD_SECONDS = QUICK ? 4 : 12;
export const ROUNDS = QUICK ? 1 : 3;
export const LATENCY_SECONDS = QUICK ? 8 : 30;
export const WARMUP_SECONDS = QUICK ? 2 : 5;
export const DEVICE_COUNT = 2000;
/** Steal (% of the machine's CPU time) up to which a second counts as calm in the latency split. */
export const STEAL_CALM_PCT = 15;
export const PASSWORD = "bench-password";
const deadline = Date.now() + 12 * 60_000; // the whole run stops by itself
// The server and this process (which seeds secrets and runs processOutbox) must share the key for secrets at rest.
export const AUTH_SECRET = "bench-auth-secret-0123456789abcdef";
process.env.AUTH_SECRET = AUTH_SECRET;
// The receivers are on 127.0.0.1: the deliveries this process sends (sections 2 and 3) need private targets allowed, as
// the server gets (server.ts). Without it every delivery was refused by the URL guard since private targets stopped
// being allowed by default.
process.env.WEBHOOK_ALLOW_PRIVATE_URLS = "1";

export const ms = (n: number) => `${n.toFixed(1)} ms`;
export const sleep = (n: number) => new Promise((r) => setTimeout(r, n));
export function checkDeadline() {
  if (Date.now() > deadline) throw new Error("benchmark exceeded its 12-minute limit");
}
