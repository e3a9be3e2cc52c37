// CPU time per delivery, by who spends it: this process (the engine or the pg-boss worker), the PostgreSQL backends
// serving the bench database (found by database name in their process title, so other databases on a shared server
// do not count), and the receiver. CPU time is less sensitive than throughput to a busy or stolen machine.
// BENCH_CPU_PROF=<dir> also writes a V8 CPU profile of this process over the measured part (<dir>/<name>.cpuprofile,
// the format of `node --cpu-prof`; open it in Chrome DevTools or speedscope).
import fs from "node:fs";
import path from "node:path";
import { Session } from "node:inspector/promises";

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** utime + stime of a process, in ms; 0 when it is gone. */
function processCpuMs(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS; // fields 14 and 15 of stat(5)
  } catch {
    return 0;
  }
}

/** CPU ms of each PostgreSQL backend connected to `dbName`, by pid. */
function backendsCpuMs(dbName: string): Map<number, number> {
  const out = new Map<number, number>();
  let pids: string[] = [];
  try {
    pids = fs.readdirSync("/proc").filter((p) => /^\d+$/.test(p));
  } catch {
    return out;
  }
  for (const p of pids) {
    try {
      const cmd = fs.readFileSync(`/proc/${p}/cmdline`, "utf8");
      if (cmd.startsWith("postgres: ") && cmd.split(" ").includes(dbName)) out.set(Number(p), processCpuMs(Number(p)));
    } catch {
      /* gone */
    }
  }
  return out;
}

export type CpuSplit = { selfMs: number; postgresMs: number; receiverMs: number };

/** Starts measuring; `stop()` (call it before connections close) returns the CPU ms each party spent meanwhile. */
export async function cpuMeter(name: string, receiverPid: number | undefined): Promise<{ stop: () => Promise<CpuSplit> }> {
  const dbName = process.env.DATABASE_URL ? new URL(process.env.DATABASE_URL).pathname.slice(1) : "";
  const self0 = process.cpuUsage();
  const pg0 = backendsCpuMs(dbName);
  const recv0 = receiverPid ? processCpuMs(receiverPid) : 0;
  const profileDir = process.env.BENCH_CPU_PROF;
  let session: Session | undefined;
  if (profileDir) {
    session = new Session();
    session.connect();
    await session.post("Profiler.enable");
    await session.post("Profiler.setSamplingInterval", { interval: 200 });
    await session.post("Profiler.start");
  }
  return {
    stop: async () => {
      const self = process.cpuUsage(self0);
      let postgresMs = 0;
      // backends opened during the run count from 0
      for (const [pid, ms] of backendsCpuMs(dbName)) postgresMs += ms - (pg0.get(pid) ?? 0);
      const receiverMs = receiverPid ? processCpuMs(receiverPid) - recv0 : 0;
      if (session) {
        const { profile } = await session.post("Profiler.stop");
        fs.mkdirSync(profileDir!, { recursive: true });
        fs.writeFileSync(path.join(profileDir!, `${name}.cpuprofile`), JSON.stringify(profile));
        session.disconnect();
      }
      return { selfMs: (self.user + self.system) / 1000, postgresMs, receiverMs };
    },
  };
}

/** "x ms here + y ms PostgreSQL + z ms receiver" per delivery. */
export function perDelivery(split: CpuSplit, deliveries: number): string {
  const f = (v: number) => (v / deliveries).toFixed(3);
  return `${f(split.selfMs)} ms this process + ${f(split.postgresMs)} ms PostgreSQL + ${f(split.receiverMs)} ms receiver`;
}
