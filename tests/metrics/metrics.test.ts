import { sql } from "drizzle-orm";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { queryRows } from "@/db/client";
import { GET as getMetrics } from "@/app/api/metrics/route";
import { POST as postStatus } from "@/app/api/v1/devices/[udid]/status/route";
import { processOutbox } from "@/lib/delivery/pass";
import { outboxSnapshotQuery, serveMetrics } from "@/lib/jobs/metrics";
import { runTick } from "@/lib/jobs/tick";
import { useTestDatabase } from "../support/db";
import { behaviours } from "../support/receiver";
import { useTestReceiver } from "../support/test-receiver";
import { callDeviceRoute, makeDevice } from "../devices/helpers";
import { emitOffline, insertWebhook, seedDeliveryOrg } from "../delivery/helpers";

const db = useTestDatabase();
const receiver = useTestReceiver();
const TOKEN = "metrics-test-token-0123456789";

let saved: string | undefined;
beforeEach(() => {
  saved = process.env.METRICS_TOKEN;
  process.env.METRICS_TOKEN = TOKEN;
});
afterEach(() => {
  if (saved === undefined) delete process.env.METRICS_TOKEN;
  else process.env.METRICS_TOKEN = saved;
});

async function scrape(authorization: string | null = `Bearer ${TOKEN}`) {
  const headers: Record<string, string> = authorization === null ? {} : { authorization };
  return getMetrics(new Request("http://localhost/api/metrics", { headers }));
}

async function text(): Promise<string> {
  const res = await scrape();
  expect(res.status).toBe(200);
  return res.text();
}

/** The value of one sample (`name{labels} value`), 0 when absent. */
function sample(body: string, name: string, labels = ""): number {
  const line = body.split("\n").find((l) => l.startsWith(labels ? `${name}{${labels}} ` : `${name} `));
  return line ? Number(line.slice(line.lastIndexOf(" ") + 1)) : 0;
}

describe("GET /api/metrics: the token", () => {
  it("answers 401 JSON without a token, with a wrong one, with another scheme, and when METRICS_TOKEN is unset", async () => {
    for (const auth of [null, "Bearer wrong", `Bearer ${TOKEN}x`, `Basic ${TOKEN}`, "Bearer ", `Bearer ${TOKEN.slice(0, -1)}`]) {
      const res = await scrape(auth);
      expect(res.status, String(auth)).toBe(401);
      expect(res.headers.get("content-type")).toContain("application/json");
      const json = (await res.json()) as { error: { code: string } };
      expect(json.error.code).toBe("unauthorized");
    }
    delete process.env.METRICS_TOKEN;
    expect((await scrape()).status).toBe(401);
    expect((await scrape("Bearer ")).status).toBe(401);
    process.env.METRICS_TOKEN = "";
    expect((await scrape("Bearer ")).status).toBe(401);
  });

  it("answers Prometheus text with the metric names with the right token", async () => {
    const res = await scrape();
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/plain");
    const body = await res.text();
    for (const name of [
      "signalpost_outbox_depth",
      "signalpost_outbox_oldest_pending_age_seconds",
      "signalpost_webhooks_disabled",
      "signalpost_delivery_attempts_total",
      "signalpost_deliveries_total",
      "signalpost_delivery_latency_seconds",
      "signalpost_delivery_send_duration_seconds",
      "signalpost_status_api_request_duration_seconds",
      "signalpost_presence_sweep_lag_seconds",
      "signalpost_nodejs_eventloop_lag_seconds",
      "signalpost_process_resident_memory_bytes",
      "signalpost_nodejs_heap_size_used_bytes",
    ]) {
      expect(body, name).toContain(`# TYPE ${name} `);
    }
    // every sample line is `name{labels} number` (prom-client writes NaN as "Nan", which Prometheus's float parser takes)
    for (const line of body.split("\n").filter((l) => l && !l.startsWith("#"))) {
      expect(line).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? (-?[0-9.e+-]+|Nan|NaN|\+Inf|-Inf)$/);
    }
  });
});

describe("metrics move as deliveries happen", () => {
  it("counts attempts, deliveries, send durations and latencies of real deliveries to a receiver", async () => {
    const before = await text();
    const { org, device } = await seedDeliveryOrg(db());
    await insertWebhook(db(), org.id, receiver.url);
    await emitOffline(db(), org, device, new Date(), 3);
    let mid = await text();
    expect(sample(mid, "signalpost_outbox_depth", 'state="pending_due"')).toBe(3);
    expect(sample(mid, "signalpost_outbox_oldest_pending_age_seconds")).toBeGreaterThanOrEqual(0);

    expect(await processOutbox({ budgetMs: 5_000 })).toMatchObject({ succeeded: 3 });
    expect(receiver.requests).toHaveLength(3);
    let after = await text();
    const delta = (name: string, labels = "") => sample(after, name, labels) - sample(before, name, labels);
    expect(delta("signalpost_delivery_attempts_total", 'outcome="succeeded"')).toBe(3);
    expect(delta("signalpost_deliveries_total", 'outcome="succeeded"')).toBe(3);
    expect(delta("signalpost_delivery_latency_seconds_count")).toBe(3);
    expect(delta("signalpost_delivery_send_duration_seconds_count")).toBe(3);
    expect(sample(after, "signalpost_outbox_depth", 'state="pending_due"')).toBe(0);

    // a failing receiver: attempts counted as retried, no delivery finished, no latency observed
    receiver.respondWith(behaviours.error());
    await emitOffline(db(), org, device, new Date(), 2);
    mid = after;
    expect(await processOutbox({ budgetMs: 5_000 })).toMatchObject({ retried: 2 });
    after = await text();
    const d2 = (name: string, labels = "") => sample(after, name, labels) - sample(mid, name, labels);
    expect(d2("signalpost_delivery_attempts_total", 'outcome="retried"')).toBe(2);
    expect(d2("signalpost_deliveries_total", 'outcome="succeeded"')).toBe(0);
    expect(d2("signalpost_delivery_latency_seconds_count")).toBe(0);
    expect(d2("signalpost_delivery_send_duration_seconds_count")).toBe(2);
    expect(sample(after, "signalpost_outbox_depth", 'state="pending_scheduled"')).toBe(2);
  });

  it("reads parked rows, disabled webhooks, and the presence lag from the database at scrape time", async () => {
    const { org, device } = await seedDeliveryOrg(db());
    const { hook } = await insertWebhook(db(), org.id, receiver.url);
    await emitOffline(db(), org, device, new Date(), 2);
    await db().execute(sql`update webhooks set enabled = false where id = ${hook.id}`);
    await db().execute(sql`update outbox set next_attempt_at = 'infinity' where webhook_id = ${hook.id}`);
    await db().execute(sql`update devices set status = 'online', presence_deadline = now() - interval '10 minutes' where id = ${device.id}`);
    const body = await text();
    expect(sample(body, "signalpost_outbox_depth", 'state="parked"')).toBe(2);
    expect(sample(body, "signalpost_webhooks_disabled")).toBe(1);
    expect(sample(body, "signalpost_presence_sweep_lag_seconds")).toBeGreaterThanOrEqual(599);
    await runTick({ budgetMs: 2_000 });
    expect(sample(await text(), "signalpost_presence_sweep_lag_seconds")).toBe(0);
  });

  it("counts status API requests by code", async () => {
    const before = await text();
    const { org } = await seedDeliveryOrg(db());
    const { device, token } = await makeDevice(db(), org.id, "metrics-dev-1");
    expect((await callDeviceRoute(postStatus, device.udid, { token, body: { status: "online" } })).status).toBe(200);
    expect((await callDeviceRoute(postStatus, device.udid, { token: null, body: { status: "online" } })).status).toBe(401);
    expect((await callDeviceRoute(postStatus, device.udid, { token, body: { status: "nonsense" } })).status).toBe(400);
    const after = await text();
    const metric = "signalpost_status_api_request_duration_seconds_count";
    for (const code of ["200", "401", "400"]) {
      expect(sample(after, metric, `code="${code}"`) - sample(before, metric, `code="${code}"`), code).toBe(1);
    }
  });
});

describe("the worker's metrics listener", () => {
  it("serves the same registry on 127.0.0.1 over real HTTP, behind the same token", async () => {
    const server = await serveMetrics(0);
    try {
      const { port, address } = server.address() as AddressInfo;
      expect(address).toBe("127.0.0.1");
      const url = `http://127.0.0.1:${port}/metrics`;
      expect((await fetch(url)).status).toBe(401);
      expect((await fetch(url, { headers: { authorization: "Bearer nope" } })).status).toBe(401);
      const ok = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(ok.status).toBe(200);
      expect(await ok.text()).toContain("signalpost_delivery_attempts_total");
      expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

// The planner only shows its real choice with realistic statistics: Postgres server only.
describe.skipIf(!process.env.DATABASE_URL)("the scrape's statement (Postgres plan)", () => {
  it("reads the outbox through its partial indexes, never by scanning finished rows", async () => {
    const { org, device } = await seedDeliveryOrg(db());
    const { hook } = await insertWebhook(db(), org.id, "http://127.0.0.1:9/");
    await emitOffline(db(), org, device, new Date(), 200);
    await db().execute(sql`
      insert into outbox (org_id, event_id, webhook_id, status, attempts, next_attempt_at, completed_at)
      select ${org.id}, (select id from events limit 1), ${hook.id}, 'succeeded', 1, now() - interval '1 day', now() - interval '2 days'
      from generate_series(1, 50000)`);
    await db().execute(sql`analyze outbox`);
    const plan = await queryRows<{ "QUERY PLAN": unknown }>(db(), sql`explain (format json) ${outboxSnapshotQuery(new Date())}`);
    const nodes: { "Node Type": string; "Relation Name"?: string; "Index Name"?: string }[] = [];
    const walk = (n: Record<string, unknown>) => {
      nodes.push(n as (typeof nodes)[number]);
      for (const child of (n.Plans as Record<string, unknown>[] | undefined) ?? []) walk(child);
    };
    walk((plan[0]["QUERY PLAN"] as { Plan: Record<string, unknown> }[])[0].Plan);
    expect(nodes.filter((n) => n["Node Type"] === "Seq Scan" && n["Relation Name"] === "outbox")).toEqual([]);
    expect(nodes.some((n) => n["Index Name"] === "outbox_pending_due_idx")).toBe(true);
  });
});
