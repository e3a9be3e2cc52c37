// npm run bench — builds and starts the app on PostgreSQL, drives bounded load on 127.0.0.1 only, prints a table
// and writes BENCHMARKS.md. Flags: --skip-build, --quick (shorter runs), --keep-db, --only=status,delivery,pgboss,latency,latency1000,scale,features,embedded
// (run those sections and print them; BENCHMARKS.md is left alone).
// The parts live in scripts/bench/: config (flags, constants), server (the processes it starts), seed, report, and
// one file per section (status, delivery, pgboss, latency, scale, features, embedded); load, machine and receiver are the tools they share.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { migrate, openDatabase, queryRows } from "@/db/client";
import { DIST, ONLY, PG_BASE, ROOT, args, checkDeadline, runs } from "./bench/config";
import { benchDelivery } from "./bench/delivery";
import { benchEmbedded } from "./bench/embedded";
import { benchFeatures } from "./bench/features";
import { LATENCY_1000, LATENCY_200, benchLatency } from "./bench/latency";
import { benchPgBoss } from "./bench/pgboss";
import { measuringMachine, notes, rows, writeReport } from "./bench/report";
import { settleDatabase } from "./bench/machine";
import { benchScale } from "./bench/scale";
import { seed } from "./bench/seed";
import { startServer } from "./bench/server";
import { benchStatusApi } from "./bench/status";

async function main() {
  const dbName = `signalpost_bench_${Date.now()}`;
  const admin = await openDatabase(`${PG_BASE}/postgres`);
  await admin.db.execute(sql.raw(`create database ${dbName}`));
  const databaseUrl = `${PG_BASE}/${dbName}`;
  const handle = await openDatabase(databaseUrl);
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  try {
    await migrate(handle);
    process.env.DATABASE_URL = databaseUrl; // processOutbox in this process uses the same database
    const { setProcessDatabase } = await import("@/db/client");
    setProcessDatabase(handle);
    const { user, org, udids, tokens } = await seed(handle.db);
    if (!args.has("--skip-build")) {
      console.log("building (next build, then the production server)…");
      execFileSync(process.execPath, [path.join(ROOT, "node_modules/next/dist/bin/next"), "build"], {
        env: { ...process.env, NEXT_DIST_DIR: DIST, NEXT_TELEMETRY_DISABLED: "1", DATABASE_URL: "" },
        stdio: "inherit",
      });
      execFileSync(process.execPath, [path.join(ROOT, "scripts/build-server.mjs")], { cwd: ROOT, stdio: "inherit" });
    }
    server = await startServer(databaseUrl);
    const pid = server.child.pid!;
    // each section starts on a settled database (see settleDatabase)
    const settled = () => settleDatabase(handle.db);
    if (runs("status")) await measuringMachine("status API", () => benchStatusApi(udids, tokens, pid, settled));
    checkDeadline();
    if (runs("delivery")) await settled().then(() => measuringMachine("delivery", () => benchDelivery(handle.db, org.id)));
    checkDeadline();
    if (runs("pgboss")) await settled().then(() => measuringMachine("pg-boss", () => benchPgBoss(handle.db, org.id, databaseUrl)));
    checkDeadline();
    if (runs("latency")) await settled().then(() => measuringMachine("latency", () => benchLatency(handle.db, org.id, udids, tokens, pid, LATENCY_200)));
    checkDeadline();
    if (runs("latency1000")) await settled().then(() => measuringMachine("latency 1k", () => benchLatency(handle.db, org.id, udids, tokens, pid, LATENCY_1000)));
    if (process.env.BENCH_TRACE) fs.writeFileSync("/tmp/bench-server.log", server.log());
    const serverErrors = server.log().split("\n").filter((l) => /error|fail/i.test(l));
    if (serverErrors.length) notes.push(`server log during the run: ${serverErrors.length} error lines, e.g. \`${serverErrors[0].slice(0, 200)}\``);
    checkDeadline();
    if (runs("scale")) await benchScale(handle.db, org.id, user.id);
    checkDeadline();
    if (runs("features")) await benchFeatures(handle.db);
    // the embedded section starts its own server on PGlite; the PostgreSQL one is stopped first, not to share the CPU
    server.child.kill("SIGTERM");
    checkDeadline();
    if (runs("embedded")) await measuringMachine("embedded", () => benchEmbedded());
    const pg = await queryRows<{ v: string }>(handle.db, sql`select current_setting('server_version') as v`);
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
    if (!ONLY) writeReport({
      node: process.version,
      next: pkg.dependencies.next,
      "drizzle-orm": pkg.dependencies["drizzle-orm"],
      pg: pkg.dependencies.pg,
      "pg-boss": pkg.devDependencies["pg-boss"],
      PostgreSQL: pg[0].v,
    });
    console.log("\n" + rows.map((r) => `${r.ok === false ? "✗" : r.ok ? "✓" : " "} ${r.section.padEnd(11)} ${r.metric.padEnd(52)} ${r.value}${r.target ? `  [${r.target}]` : ""}`).join("\n"));
    console.log(ONLY ? "\n--only: BENCHMARKS.md left alone" : "\nWrote BENCHMARKS.md");
  } finally {
    server?.child.kill("SIGTERM");
    await handle.close();
    if (!args.has("--keep-db")) await admin.db.execute(sql.raw(`drop database if exists ${dbName} with (force)`)).catch(() => undefined);
    await admin.close();
    const { closeSendPools } = await import("@/lib/delivery/send");
    await closeSendPools();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
