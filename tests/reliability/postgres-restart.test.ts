import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as statusRoute } from "@/app/api/v1/devices/[udid]/status/route";
import { migrate, openDatabase, queryRows, setProcessDatabase, type DatabaseHandle } from "@/db/client";
import { orgs } from "@/db/schema";
import { resetDeviceRateLimits } from "@/lib/devices/api";
import { pendingKick } from "@/lib/delivery/kick";
import { closeSendPools } from "@/lib/delivery/send";
import { makeDevice, subscribeAll } from "../devices/helpers";
import { startReceiver, type Receiver } from "../support/receiver";
import { requirePostgresUrl, waitUntil } from "./support/db";
import { startThrowawayCluster, type Cluster } from "./support/cluster";

// Fault: PostgreSQL restarted under status-API load. The machine's shared server is never touched: the test runs
// its own throwaway cluster, points the app's process database (the same pg pool the server uses) at it, and
// drives the real route handler of POST /api/v1/devices/{udid}/status with real Request objects.
const DEVICES = 5;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Reply = { device: number; seq: number; status: number; ms: number; contentType: string; retryAfter: string | null; body: unknown; phase: string };

describe("fault: PostgreSQL restarted under status-API load", () => {
  requirePostgresUrl();
  let cluster: Cluster;
  let handle: DatabaseHandle;
  let receiver: Receiver;
  let closed = false;
  const saved = { rate: process.env.DEVICE_RATE_PER_SECOND, burst: process.env.DEVICE_RATE_BURST };
  beforeAll(async () => {
    cluster = await startThrowawayCluster();
    handle = await openDatabase(cluster.url());
    await migrate(handle);
    setProcessDatabase(handle);
    receiver = await startReceiver();
    // this test is about the database, not the per-device limit
    process.env.DEVICE_RATE_PER_SECOND = "10000";
    process.env.DEVICE_RATE_BURST = "10000";
    resetDeviceRateLimits();
  });
  afterAll(async () => {
    await pendingKick()?.catch(() => undefined);
    setProcessDatabase(undefined);
    if (!closed) await Promise.race([handle?.close().catch(() => undefined), sleep(5_000)]);
    cluster?.destroy();
    await closeSendPools();
    await receiver?.close();
    process.env.DEVICE_RATE_PER_SECOND = saved.rate;
    process.env.DEVICE_RATE_BURST = saved.burst;
    if (saved.rate === undefined) delete process.env.DEVICE_RATE_PER_SECOND;
    if (saved.burst === undefined) delete process.env.DEVICE_RATE_BURST;
    resetDeviceRateLimits();
  });

  it("answers 503 JSON with Retry-After while PostgreSQL is down, recovers by itself, and leaves no half-written change", async () => {
    const db = handle.db;
    const [org] = await db.insert(orgs).values({ slug: "restart", name: "Restart" }).returning();
    const hook = await subscribeAll(db, org.id, "all");
    await db.execute(sql`update webhooks set url = ${`${receiver.url}/hook`} where id = ${hook.id}`);
    const devices: Awaited<ReturnType<typeof makeDevice>>[] = [];
    for (let i = 0; i < DEVICES; i++) devices.push(await makeDevice(db, org.id, `restart-${i}`));

    const replies: Reply[] = [];
    let phase = "before";
    let stop = false;
    const drive = async (i: number) => {
      const { device, token } = devices[i];
      for (let seq = 1; !stop; seq++) {
        const body = JSON.stringify({ status: seq % 2 ? "online" : "offline", signals: { seq } });
        const started = performance.now();
        const res = await statusRoute(
          new Request(`http://localhost/api/v1/devices/${device.udid}/status`, {
            method: "POST",
            headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
            body,
          }),
          { params: Promise.resolve({ udid: device.udid }) },
        );
        const text = await res.text();
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          // recorded as text: the assertions below require JSON
        }
        replies.push({
          device: i,
          seq,
          status: res.status,
          ms: performance.now() - started,
          contentType: res.headers.get("content-type") ?? "",
          retryAfter: res.headers.get("retry-after"),
          body: parsed,
          phase,
        });
        await sleep(25);
      }
    };
    const load = Promise.all(devices.map((_, i) => drive(i)));
    try {
      await sleep(1_500);
      phase = "down";
      cluster.stopImmediate();
      const downSince = replies.length;
      await waitUntil("503 answers while PostgreSQL is down", () => replies.slice(downSince).filter((r) => r.status === 503).length >= DEVICES * 3, {
        timeoutMs: 60_000,
      });
      await sleep(1_000);
      phase = "restarting";
      cluster.start();
      phase = "after";
      const upSince = replies.length;
      // recovers without restarting the app: every device gets 200 again
      await waitUntil(
        "every device answered 200 after the restart",
        () => devices.every((_, i) => replies.slice(upSince).some((r) => r.device === i && r.status === 200)),
        { timeoutMs: 60_000 },
      );
      await sleep(1_000);
    } finally {
      stop = true;
      await load;
      await pendingKick()?.catch(() => undefined);
    }

    // every answer was JSON: 200, or 503 {"error":{"code":"unavailable"}} with Retry-After; never a 500, never a hang
    const byStatus = new Map<number, number>();
    for (const r of replies) byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + 1);
    expect([...byStatus.keys()].sort()).toEqual([200, 503]);
    for (const r of replies) {
      expect(r.contentType).toMatch(/^application\/json/);
      if (r.status === 503) {
        expect(r.body).toMatchObject({ error: { code: "unavailable", message: expect.any(String) } });
        expect(Number(r.retryAfter)).toBeGreaterThan(0);
      }
    }
    const slowest = Math.max(...replies.map((r) => r.ms));
    expect(slowest).toBeLessThan(8_000); // connect refused is immediate; the pool's connect timeout is 5 s
    expect(replies.filter((r) => r.phase === "before").every((r) => r.status === 200)).toBe(true);

    // consistency: for every device the row, its events, its signals and their outbox rows agree
    for (let i = 0; i < DEVICES; i++) {
      const deviceId = devices[i].device.id;
      const [row] = await queryRows<{ status: string }>(db, sql`select status from devices where id = ${deviceId}`);
      const evs = await queryRows<{ id: string; type: string; payload: { status?: string; signals?: { seq: number } } }>(
        db,
        sql`select id, type, payload from events where device_id = ${deviceId} order by created_at, id`,
      );
      const sigs = await queryRows<{ seq: number }>(db, sql`select (value #>> '{}')::int as seq from signals where device_id = ${deviceId} and name = 'seq'`);
      // each committed request wrote one signal row and one telemetry event, both or neither
      const telemetrySeqs = evs.filter((e) => e.type === "device.telemetry").map((e) => Number(e.payload.signals?.seq)).sort((a, b) => a - b);
      expect(sigs.map((s) => Number(s.seq)).sort((a, b) => a - b)).toEqual(telemetrySeqs);
      // every request answered 200 was committed
      const acked = replies.filter((r) => r.device === i && r.status === 200).map((r) => r.seq);
      expect(acked.filter((s) => !telemetrySeqs.includes(s))).toEqual([]);
      const ackedEvents = replies.filter((r) => r.device === i && r.status === 200).flatMap((r) => (r.body as { events: string[] }).events);
      const eventIds = new Set(evs.map((e) => e.id));
      expect(ackedEvents.filter((id) => !eventIds.has(id))).toEqual([]);
      // status events alternate (an event fires only on a change) and the last one is the device's status
      const statusEvents = evs.filter((e) => e.type === "device.status.online" || e.type === "device.status.offline");
      for (let k = 1; k < statusEvents.length; k++) expect(statusEvents[k].type).not.toBe(statusEvents[k - 1].type);
      expect(statusEvents.at(-1)?.payload.status).toBe(row.status);
    }
    // every event has its outbox row (one webhook subscribes to everything), and no outbox row lacks its event
    const [agree] = await queryRows<{ events: number; without_outbox: number; orphans: number }>(
      db,
      sql`select (select count(*)::int from events where org_id = ${org.id}) as events,
                 (select count(*)::int from events e join webhooks w on w.id = ${hook.id} and e.type = any(w.events)
                    where e.org_id = ${org.id} and (select count(*) from outbox o where o.event_id = e.id) <> 1) as without_outbox,
                 (select count(*)::int from outbox o where not exists (select 1 from events e where e.id = o.event_id)) as orphans`,
    );
    expect(agree.without_outbox).toBe(0);
    expect(agree.orphans).toBe(0);
    expect(agree.events).toBeGreaterThan(DEVICES * 4);
    // no connection was leaked by the restart: closing the pool (which waits for every checked-out client) ends
    const closing = handle.close().then(() => "closed");
    expect(await Promise.race([closing, sleep(15_000).then(() => "a pooled connection is still checked out")])).toBe("closed");
    closed = true;
    console.log(
      `[reliability] PostgreSQL restart: ${replies.length} status requests (${byStatus.get(200)} × 200, ${byStatus.get(503)} × 503 ` +
        `with Retry-After, 0 × 500); slowest answer ${Math.round(slowest)} ms; ${agree.events} events, each with its outbox row; ` +
        `device rows, events and signals consistent for all ${DEVICES} devices`,
    );
  });
});
