import { execFileSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

/**
 * A throwaway PostgreSQL cluster of its own (initdb in a temporary directory, listening on 127.0.0.1 at a free port,
 * its unix socket inside that directory), so a test can stop and start PostgreSQL without touching the machine's
 * shared server. Runs the server binaries as the `postgres` user when the test runs as root.
 */
export type Cluster = {
  url: (database?: string) => string;
  port: number;
  start: () => void;
  /** pg_ctl stop -m immediate: the server dies at once, as in a crash (recovery replays the WAL on start). */
  stopImmediate: () => void;
  destroy: () => void;
};

function binDir(): string {
  const base = "/usr/lib/postgresql";
  const versions = fs.existsSync(base) ? fs.readdirSync(base).filter((v) => fs.existsSync(path.join(base, v, "bin", "initdb"))) : [];
  if (versions.length === 0) throw new Error("PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin");
  versions.sort((a, b) => Number(b) - Number(a));
  return path.join(base, versions[0], "bin");
}

async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 55_433 + Math.floor(Math.random() * 500);
    const free = await new Promise<boolean>((resolve) => {
      const s = net.createServer();
      s.once("error", () => resolve(false));
      s.listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error("no free port for the throwaway PostgreSQL cluster");
}

export async function startThrowawayCluster(): Promise<Cluster> {
  const bin = binDir();
  const asRoot = process.getuid?.() === 0;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "signalpost-pg-"));
  const data = path.join(dir, "data");
  if (asRoot) {
    const uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"]).toString().trim());
    fs.chownSync(dir, uid, gid);
  }
  const run = (tool: string, args: string[]) => {
    const cmd = [path.join(bin, tool), ...args];
    if (asRoot) {
      const quoted = cmd.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(" ");
      return execFileSync("su", ["postgres", "-s", "/bin/sh", "-c", quoted], { stdio: "pipe", timeout: 120_000 });
    }
    return execFileSync(cmd[0], cmd.slice(1), { stdio: "pipe", timeout: 120_000 });
  };
  run("initdb", ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"]);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=50`;
  let running = false;
  const cluster: Cluster = {
    port,
    url: (database = "postgres") => `postgres://postgres@127.0.0.1:${port}/${database}`,
    start() {
      run("pg_ctl", ["-D", data, "-l", path.join(dir, "server.log"), "-w", "-t", "60", "-o", options, "start"]);
      running = true;
    },
    stopImmediate() {
      run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "-t", "60", "stop"]);
      running = false;
    },
    destroy() {
      if (!fs.existsSync(dir)) return;
      try {
        if (running || fs.existsSync(path.join(data, "postmaster.pid"))) run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
      } catch {
        // already stopped
      }
      running = false;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  // also on an aborted run (a hook timed out, the worker was stopped): never leave a server or its files behind
  process.once("exit", () => cluster.destroy());
  try {
    cluster.start();
  } catch (err) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return cluster;
}
