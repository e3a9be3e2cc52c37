// Every operation of the registry, attacked: a key of org B with org A's ids reaches nothing (404, or an empty list)
// and changes nothing; a read key is refused every write (403) and changes nothing; no read answer carries a secret.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDevice } from "@/lib/devices/admin";
import { emitEvents } from "@/lib/delivery/emit";
import { API_OPERATIONS } from "@/lib/api/registry";
import { createWebhook } from "@/lib/webhooks/manage";
import { useTestDatabase } from "../support/db";
import { call, orgsWithKeys } from "./helpers";
import { ROUTES } from "./routes";
import type { Db } from "@/db/client";

const db = useTestDatabase({ truncate: false });

/** Every row of the tables an API write could touch, to prove a refused call changed nothing. */
async function snapshot(d: Db) {
  const out: Record<string, unknown> = {};
  for (const t of ["devices", "device_tokens", "webhooks", "webhook_secrets", "outbox", "events", "audit_log", "idempotency_keys"]) {
    out[t] = ((await d.execute(sql.raw(`select * from ${t} order by 1`))) as unknown as { rows: unknown[] }).rows;
  }
  return out;
}

const bodies: Record<string, unknown> = {
  createDevice: { udid: "evil-1" },
  bulkCreateDevices: { devices: [{ udid: "evil-2" }] },
  updateDevice: { name: "pwned" },
  createWebhook: { name: "evil", url: "http://127.0.0.1:9/x", events: ["device.created"], skipEndpointCheck: true },
  updateWebhook: { name: "pwned", skipEndpointCheck: true },
  rotateWebhookSecret: { period: "none" },
  testWebhook: {},
  replayFailedDeliveries: { since: "2020-01-01T00:00:00Z" },
};

let ids: Record<string, string> = {};
let keys: Awaited<ReturnType<typeof orgsWithKeys>>;
beforeAll(async () => {
  process.env.WEBHOOK_ALLOW_PRIVATE_URLS = "1";
  keys = await orgsWithKeys(db());
  const A = { orgId: keys.orgA.id, userId: keys.ownerA.id };
  const { device } = await createDevice(db(), A, { udid: "a-secret-device", name: "A secret device", tags: [], offlineAfterSeconds: 300 });
  const webhook = await createWebhook(
    db(),
    A,
    {
      orgSlug: "org-a",
      name: "A hook",
      url: "http://127.0.0.1:9/a",
      description: "",
      events: ["device.updated"],
      deviceScope: "all",
      deviceIds: [],
      deviceTags: [],
      skipEndpointCheck: true,
      enabled: true,
      method: "POST",
      format: "json",
      bodyTemplate: "",
      contentType: "",
      headers: [],
      queryParams: [],
      authType: "bearer",
      authUsername: "",
      authPassword: "",
      authToken: "a-bearer-token-secret",
    },
    async () => null,
  );
  const emitted = await db().transaction((tx) =>
    emitEvents(tx, keys.orgA.id, [{ type: "device.updated", device: { id: device.id, udid: device.udid, name: device.name, tags: [] }, data: { changes: {} } }]),
  );
  await db().execute(sql`update outbox set status = 'failed', next_attempt_at = now() + interval '1 day'`);
  ids = { device: String(device.id), webhook: String(webhook.id), delivery: String(emitted.outboxIds[0]), event: emitted.events[0].id, type: "device.updated" };
});
afterAll(() => {
  delete process.env.WEBHOOK_ALLOW_PRIVATE_URLS;
});

function valueFor(path: string): string | undefined {
  if (path.startsWith("/devices/{id}")) return ids.device;
  if (path.startsWith("/webhooks/{id}")) return ids.webhook;
  if (path.startsWith("/deliveries/{id}")) return ids.delivery;
  if (path.startsWith("/events/{id}")) return ids.event;
  if (path.startsWith("/event-types/{type}")) return ids.type;
  return undefined;
}

async function invoke(op: (typeof API_OPERATIONS)[number], key: string) {
  const template = `/api/v1${op.path}`;
  const r = ROUTES[template];
  const value = valueFor(op.path);
  const concrete = r.param ? op.path.replace(`{${r.param[0]}}`, value!) : op.path;
  return call(r.mod[op.method.toUpperCase()], op.method.toUpperCase(), concrete, {
    key,
    body: op.method === "post" || op.method === "patch" ? (bodies[op.operationId] ?? {}) : undefined,
    params: r.param ? { [r.param[1]]: value! } : {},
  });
}

describe("tenancy and scopes over every operation", () => {
  it.each(API_OPERATIONS.map((op) => [op.operationId, op] as const))("%s: org B's key reaches nothing of org A", async (_id, op) => {
    const before = await snapshot(db());
    const res = await invoke(op, keys.writeB.secret);
    const text = JSON.stringify(res.body);
    for (const marker of ["a-secret-device", "A secret device", "A hook", "a-bearer-token-secret", ids.event]) {
      expect(text, `${op.operationId} showed org A's ${marker}`).not.toContain(marker);
    }
    if (op.params && op.path !== "/event-types/{type}") expect(res.status, op.operationId).toBe(404);
    const after = await snapshot(db());
    // B's own creates may write B's rows; nothing of A may change
    const ofA = (s: Record<string, unknown>) =>
      Object.fromEntries(Object.entries(s).map(([t, rows]) => [t, (rows as { org_id?: number }[]).filter((r) => r.org_id === keys.orgA.id)]));
    expect(ofA(after), `${op.operationId} changed org A's data`).toEqual(ofA(before));
  });

  it.each(API_OPERATIONS.filter((op) => op.scope === "write").map((op) => [op.operationId, op] as const))(
    "%s: a read key is refused (403) and nothing changes",
    async (_id, op) => {
      const before = await snapshot(db());
      const res = await invoke(op, keys.readA.secret);
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe("forbidden");
      expect(await snapshot(db())).toEqual(before);
    },
  );

  it.each(API_OPERATIONS.filter((op) => op.scope === "read").map((op) => [op.operationId, op] as const))(
    "%s: a read key reads org A, and no answer carries a secret",
    async (_id, op) => {
      const res = await invoke(op, keys.readA.secret);
      expect(res.status).toBe(200);
      const text = JSON.stringify(res.body);
      expect(text).not.toContain("a-bearer-token-secret");
      expect(text).not.toMatch(/whsec_[A-Za-z0-9+/=]{10,}/);
      expect(text).not.toMatch(/spd_[0-9A-Za-z]{32}/);
    },
  );
});
