import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../../..");

export type Child = {
  pid: number;
  process: ChildProcess;
  /** stdout + stderr so far. */
  output: () => string;
  /** Resolves when the output matches `pattern` (rejects after `timeoutMs` or if the process exits first). */
  waitForOutput: (pattern: RegExp, timeoutMs?: number) => Promise<void>;
  /** Resolves with the exit code / signal once the process has ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends a signal to this process only (by its id). */
  kill: (signal: NodeJS.Signals) => void;
};

/** Spawns `node --conditions=react-server --import tsx <script>` from the repository root with extra env. */
export function spawnScript(script: string, env: Record<string, string>, args: string[] = []): Child {
  const child = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", script, ...args], {
    cwd: root,
    env: { ...process.env, NODE_ENV: "test", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  const listeners = new Set<() => void>();
  const onData = (b: Buffer) => {
    out += b.toString("utf8");
    if (out.length > 200_000) out = out.slice(-100_000);
    for (const l of [...listeners]) l();
  };
  child.stdout!.on("data", onData);
  child.stderr!.on("data", onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => {
      for (const l of [...listeners]) l();
      resolve({ code, signal });
    }),
  );
  return {
    pid: child.pid!,
    process: child,
    output: () => out,
    exited,
    kill: (signal) => {
      if (child.exitCode === null && child.signalCode === null) process.kill(child.pid!, signal);
    },
    waitForOutput(pattern, timeoutMs = 60_000) {
      return new Promise<void>((resolve, reject) => {
        const check = () => {
          if (pattern.test(out)) {
            done();
            resolve();
          } else if (child.exitCode !== null || child.signalCode !== null) {
            done();
            reject(new Error(`process ${child.pid} exited before printing ${pattern}:\n${out.slice(-4000)}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`process ${child.pid} did not print ${pattern} within ${timeoutMs} ms:\n${out.slice(-4000)}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      });
    },
  };
}

/** Stops a child: SIGTERM, then SIGKILL after `graceMs`. */
export async function stopChild(child: Child, graceMs = 15_000): Promise<void> {
  if (child.process.exitCode !== null || child.process.signalCode !== null) return;
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await child.exited;
  clearTimeout(timer);
}

/** A delivery worker (`scripts/worker.ts`, the same as `npm run worker`) on the given database. */
export function spawnWorker(databaseUrl: string, env: Record<string, string> = {}): Child {
  return spawnScript("scripts/worker.ts", {
    DATABASE_URL: databaseUrl,
    WEBHOOK_ALLOW_PRIVATE_URLS: "1",
    WORKER_INTERVAL_MS: "200",
    ...env,
  });
}
