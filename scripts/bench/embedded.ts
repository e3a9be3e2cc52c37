// Section 5: the embedded default (issue #22 item 12). The app as `npm start` runs it for a user without
// PostgreSQL: embedded PGlite in a temporary PGLITE_DIR, no DATABASE_URL, its in-process delivery loop on. Status
// reports at a fixed rate → receiver, measuring status → receiver latency as section 3 does on PostgreSQL.
// PGlite has one connection and no lock between processes, so this process seeds the directory and closes it
// before the server opens it; everything afterwards is read from the server's answers and the receiver.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { migrate, openDatabase } from "@/db/client";
import { PORT, QUICK, ms, sleep } from "./config";
import { closedLoop, openLoop, percentile, type LoadRequest } from "./load";
import { notes, record } from "./report";
import { createWebhook, seed } from "./seed";
import { statusApiRate } from "./status";
import { peakRssMb, startReceiver, startServer } from "./server";

const RATE = 100;
const SECONDS = QUICK ? 8 : 15;
const WARMUP_SECONDS = 3;
const DEVICES = 300;

/** Round-robin reports over the devices, each flipping its device between online and unplugged. */
function flipper(origin: string, udids: string[], tokens: string[]) {
  const online = new Array<boolean>(udids.length).fill(false);
  let i = 0;
  return (): LoadRequest => {
    const n = i++ % udids.length;
    online[n] = !online[n];
    return {
      path: `/api/v1/devices/${udids[n]}/status`,
      method: "POST",
      headers: { authorization: `Bearer ${tokens[n]}`, "content-type": "application/json" },
      body: JSON.stringify({ status: online[n] ? "online" : "unplugged" }),
    };
  };
}

export async function benchEmbedded() {
  console.log("\n5. Embedded PGlite (the default without DATABASE_URL): status → receiver");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "signalpost-bench-pglite-"));
  const port = PORT + 1;
  const origin = `http://127.0.0.1:${port}`;
  const receiver = await startReceiver(true);
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  try {
    const handle = await openDatabase(dir);
    await migrate(handle);
    const { org, udids, tokens } = await seed(handle.db, DEVICES);
    await createWebhook(handle.db, org.id, "bench-embedded", receiver.url, ["device.status.online", "device.state.unplugged"]);
    await handle.close();

    const t0 = performance.now();
    server = await startServer("", { pgliteDir: dir, port });
    record("embedded", "server start on a seeded PGlite directory (to /api/health answering)", ms(performance.now() - t0));
    const next = flipper(origin, udids, tokens);
    // first contact (registration, another path) for every device, then a warm-up at the same rate, not measured
    await openLoop(origin, { rate: RATE, seconds: DEVICES / RATE, next });
    await openLoop(origin, { rate: RATE, seconds: WARMUP_SECONDS, next });
    // the loops return once every answer is in; the measured run starts when the warm-up's deliveries are in too
    // (the receiver's count still for a second, at most 30 s), so it does not inherit their queue
    for (let last = -1, i = 0; i < 30; i++) {
      const count = await receiver.count();
      if (count === last) break;
      last = count;
      await sleep(1000);
    }

    const sentAt = new Map<string, number>();
    const sendTimes = new Map<LoadRequest, number>();
    const r = await openLoop(origin, {
      rate: RATE,
      seconds: SECONDS,
      next,
      onSent: (req, at) => sendTimes.set(req, at),
      onResponse: (code, text, req) => {
        if (code !== 200) return;
        for (const id of (JSON.parse(text) as { events?: string[] }).events ?? []) sentAt.set(id, sendTimes.get(req)!);
        sendTimes.delete(req);
      },
    });
    let arrivals = await receiver.arrivals();
    const allArrived = () => [...sentAt.keys()].every((id) => arrivals.has(id));
    for (let i = 0; i < 30 && !allArrived(); i++) {
      await sleep(500);
      arrivals = await receiver.arrivals();
    }
    const lat: number[] = [];
    for (const [id, at] of sentAt) {
      const t1 = arrivals.get(id);
      if (t1 !== undefined) lat.push(t1 - at);
    }
    const missing = sentAt.size - lat.length;
    if (missing > 0) notes.push(`embedded: ${missing} event(s) not at the receiver 15 s after the run`);
    const p50 = percentile(lat, 50);
    const p99 = percentile(lat, 99);
    // each report flips its device, but a device's next report (3 s later) can overtake a slow one, which is then
    // no change: events are counted from the answers
    record("embedded", `${RATE} status reports/s for ${SECONDS} s (after ${WARMUP_SECONDS} s of warm-up), ${DEVICES} devices`, `${lat.length}/${sentAt.size} change events delivered (${r.requests} reports), API errors ${r.errors} ${JSON.stringify(r.statusCounts)}`);
    record("embedded", "status change → receiver p50", ms(p50), "≤ 100 ms", p50 <= 100);
    record("embedded", "status change → receiver p99", ms(p99));
    record("embedded", "status change → receiver max", ms(lat.length ? Math.max(...lat) : NaN));
    record("embedded", "status API answer during this run", `p50 ${ms(percentile(r.latenciesMs, 50))}, p99 ${ms(percentile(r.latenciesMs, 99))}`);
    // what it sustains: as many reports as 16 connections get answered, for a few seconds
    const max = await closedLoop(origin, { concurrency: 16, seconds: QUICK ? 3 : 6, next });
    const vsPg = statusApiRate ? ` (${((max.rps / statusApiRate) * 100).toFixed(0)} % of section 1's status API on PostgreSQL)` : "";
    record("embedded", "status reports answered with 16 connections (closed loop)", `${max.rps.toFixed(0)} req/s${vsPg}, p50 ${ms(percentile(max.latenciesMs, 50))}, p99 ${ms(percentile(max.latenciesMs, 99))}, errors ${max.errors}`);
    record("embedded", "embedded server peak RSS", `${peakRssMb(server.child.pid!).toFixed(0)} MB`);
    const errors = server.log().split("\n").filter((l) => /error|fail/i.test(l));
    if (errors.length) notes.push(`embedded server log: ${errors.length} error lines, e.g. \`${errors[0].slice(0, 200)}\``);
  } finally {
    receiver.stop();
    if (server && server.child.exitCode === null) {
      const exited = new Promise((resolve) => server!.child.once("exit", resolve));
      server.child.kill("SIGTERM");
      await Promise.race([exited, sleep(10_000)]);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
