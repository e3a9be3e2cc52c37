// The processes the benchmark starts: the app (`next start`), the receiver (scripts/bench/receiver.ts); all are
// stopped when the benchmark exits. Also sign-in and memory accounting of the server.
import { fork, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { AUTH_SECRET, DIST, ORIGIN, PASSWORD, PORT, ROOT, sleep } from "./config";

export const children: ChildProcess[] = [];

function cleanup() {
  for (const c of children) if (c.exitCode === null) c.kill("SIGTERM");
}
process.on("exit", cleanup);
process.on("SIGINT", () => process.exit(130));

export async function startReceiver(recordArrivals: boolean) {
  const child = fork(path.join(ROOT, "scripts/bench/receiver.ts"), [], {
    execArgv: ["--import", "tsx"],
    env: { ...process.env, RECORD_ARRIVALS: recordArrivals ? "1" : "0" },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  children.push(child);
  const port: number = await new Promise((resolve) =>
    child.on("message", (m: { type: string; port?: number }) => m.type === "ready" && resolve(m.port!)),
  );
  const ask = <T>(type: string): Promise<T> =>
    new Promise((resolve) => {
      const onMsg = (m: { type: string } & T) => {
        if (m.type === type) {
          child.off("message", onMsg);
          resolve(m);
        }
      };
      child.on("message", onMsg);
      child.send({ type });
    });
  return {
    pid: child.pid,
    url: `http://127.0.0.1:${port}/hook`,
    origin: `http://127.0.0.1:${port}`,
    count: async () => (await ask<{ count: number }>("count")).count,
    arrivals: async () => new Map((await ask<{ arrivals: [string, number][] }>("arrivals")).arrivals),
    /** Requests whose webhook-id had already arrived (only counted when recording arrivals). */
    duplicates: async () => (await ask<{ duplicates: number }>("duplicates")).duplicates,
    stop: () => child.send({ type: "stop" }),
  };
}

/** Peak resident memory (VmHWM) of a process and its descendants, in MB. */
export function peakRssMb(pid: number): number {
  let total = 0;
  const visit = (p: number) => {
    try {
      const status = fs.readFileSync(`/proc/${p}/status`, "utf8");
      const m = /VmHWM:\s+(\d+) kB/.exec(status);
      if (m) total += Number(m[1]) / 1024;
      const kids = fs.readFileSync(`/proc/${p}/task/${p}/children`, "utf8").trim();
      for (const k of kids.split(/\s+/).filter(Boolean)) visit(Number(k));
    } catch {
      /* process gone */
    }
  };
  visit(pid);
  return total;
}

/**
 * Starts the app (`npm start`: dist/server.cjs, production build) on PostgreSQL at `databaseUrl`, with deliveries by the request's
 * kick only (EMBEDDED_WORKER=0). `embedded` starts it instead as a user's default: embedded PGlite in that directory
 * (no DATABASE_URL) with its in-process delivery loop, on another port.
 */
export async function startServer(databaseUrl: string, embedded?: { pgliteDir: string; port: number }) {
  const port = embedded?.port ?? PORT;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    NEXT_DIST_DIR: DIST,
    DATABASE_URL: databaseUrl,
    EMBEDDED_WORKER: "0",
    SEED_DEMO: "0",
    BENCH_ROUTES: "1",
    AUTH_SECRET,
    WEBHOOK_ALLOW_PRIVATE_URLS: "1",
    DATABASE_POOL_SIZE: "20",
    NEXT_TELEMETRY_DISABLED: "1",
  };
  if (embedded) {
    delete env.DATABASE_URL;
    delete env.EMBEDDED_WORKER;
    delete env.DATABASE_POOL_SIZE;
    env.PGLITE_DIR = embedded.pgliteDir;
  }
  // `npm start`: the production server (dist/server.cjs, built by `npm run build`) with the device fast path
  const serverEntry = path.join(ROOT, "dist/server.cjs");
  // BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the server
  const nodeArgs = process.env.BENCH_SERVER_NODE_ARGS?.split(" ").filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...nodeArgs, serverEntry, "-H", "127.0.0.1", "-p", String(port)], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let log = "";
  child.stdout!.on("data", (d) => (log += d));
  child.stderr!.on("data", (d) => (log += d));
  for (let i = 0; i < 120; i++) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/api/health`);
      if (res.ok) return { child, log: () => log };
    } catch {
      /* not up yet */
    }
    await sleep(500);
  }
  throw new Error(`server did not start:\n${log}`);
}

export async function signInCookie(email: string): Promise<string> {
  const csrfRes = await fetch(`${ORIGIN}/api/auth/csrf`);
  const { csrfToken } = (await csrfRes.json()) as { csrfToken: string };
  const jar = csrfRes.headers.getSetCookie().map((c) => c.split(";")[0]);
  const res = await fetch(`${ORIGIN}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: jar.join("; ") },
    body: new URLSearchParams({ csrfToken, email, password: PASSWORD, callbackUrl: ORIGIN }).toString(),
  });
  const session = res.headers.getSetCookie().find((c) => c.includes("session-token"));
  if (!session) throw new Error(`sign-in failed (${res.status})`);
  return [...jar, session.split(";")[0]].join("; ");
}
