// Whole-machine CPU accounting for the benchmark, from /proc/stat: how much of the machine the run had. On a
// virtual machine, "steal" is time the hypervisor gave this VM's CPUs to others: a run with much steal is slower
// for reasons outside this code, and the report says so next to its numbers.
import fs from "node:fs";
import { sql } from "drizzle-orm";
import { queryRows, type Db } from "@/db/client";

export type CpuSample = { busy: number; steal: number; total: number };

/** The machine's CPU counters now (all CPUs, in jiffies); null where /proc/stat does not exist. */
export function cpuSample(): CpuSample | null {
  try {
    const line = fs.readFileSync("/proc/stat", "utf8").split("\n", 1)[0];
    // cpu  user nice system idle iowait irq softirq steal [guest guest_nice, already counted in user/nice]
    const [user, nice, system, idle, iowait, irq, softirq, steal = 0] = line.trim().split(/\s+/).slice(1, 9).map(Number);
    const busy = user + nice + system + irq + softirq;
    return { busy, steal, total: busy + idle + iowait + steal };
  } catch {
    return null;
  }
}

/** Steal and busy time between two samples, in % of the machine's CPU time; null when unknown. */
export function cpuShare(from: CpuSample | null, to: CpuSample | null): { steal: number; busy: number } | null {
  if (!from || !to || to.total <= from.total) return null;
  const total = to.total - from.total;
  return { steal: (100 * (to.steal - from.steal)) / total, busy: (100 * (to.busy - from.busy)) / total };
}

/** Samples every second until stopped: per-second steal %, keyed by the wall-clock second it ended in. */
export function stealEverySecond(): { stop: () => Map<number, number> } {
  const perSecond = new Map<number, number>();
  let last = cpuSample();
  const timer = setInterval(() => {
    const now = cpuSample();
    const share = cpuShare(last, now);
    if (share) perSecond.set(Math.floor(Date.now() / 1000), share.steal);
    last = now;
  }, 1000);
  return {
    stop: () => {
      clearInterval(timer);
      return perSecond;
    },
  };
}

/**
 * Lets the database settle between sections: VACUUM ANALYZE of the app's busy tables (the previous section's dead rows
 * and stale statistics), then waits (at most 60 s) for autovacuum workers to finish. Without it the maintenance a
 * section caused ran during the next one and was billed to it (e.g. section 2 at 97 % busy after section 1's 22,000
 * status changes).
 */
export async function settleDatabase(db: Db): Promise<void> {
  await db.execute(sql.raw("vacuum (analyze) devices, device_tokens, events, outbox, delivery_attempts, signals, webhooks"));
  for (let i = 0; i < 120; i++) {
    const [row] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from pg_stat_activity where backend_type = 'autovacuum worker'`);
    if (!row || row.n === 0) return;
    await new Promise((r) => setTimeout(r, 500));
  }
}
