// The OpenAPI document: valid OpenAPI 3.1 (a maintained validator), served at /api/v1/openapi.json, and — the contract
// test — every operation it lists, called through the real route handlers with real Requests, answers with a status
// the document lists and a body its schema accepts. A handler that drifts from the document fails here.
import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { Validator } from "@seriousme/openapi-schema-validator";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsImport from "ajv-formats";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as openapiRoute } from "@/app/api/v1/openapi.json/route";
import { openApiDocument } from "@/lib/api/openapi";
import { pendingKick } from "@/lib/delivery/kick";
import { API_OPERATIONS } from "@/lib/api/registry";
import { EVENT_CATALOG } from "@/lib/events/catalog";
import { EVENT_DATA_SCHEMAS } from "@/lib/events/schemas";
import { startReceiver, type Receiver } from "../support/receiver";
import { useTestDatabase } from "../support/db";
import { call, orgsWithKeys } from "./helpers";
import { ROUTES } from "./routes";

const db = useTestDatabase({ truncate: false });
const addFormats = addFormatsImport as unknown as (ajv: InstanceType<typeof Ajv2020>) => void;
type Doc = { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: object }> }> }>>; components: object };
const doc = openApiDocument() as unknown as Doc;

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
const validators = new Map<string, ReturnType<typeof ajv.compile>>();
/** Checked calls: "METHOD path status". */
const covered = new Set<string>();

/** Calls an operation through its route file and checks the answer against the document. */
async function contract(
  method: string,
  template: string,
  opts: { key?: string; value?: string | number; query?: string; body?: unknown; headers?: Record<string, string> } = {},
) {
  const r = ROUTES[template];
  expect(r, `no route file mapped for ${template}`).toBeDefined();
  const handler = r.mod[method.toUpperCase()];
  expect(handler, `${template} exports no ${method.toUpperCase()}`).toBeTypeOf("function");
  const concrete = r.param ? template.replace(`{${r.param[0]}}`, encodeURIComponent(String(opts.value))) : template;
  const res = await call(handler, method.toUpperCase(), `${concrete.replace("/api/v1", "")}${opts.query ?? ""}`, {
    key: opts.key,
    body: opts.body,
    headers: opts.headers,
    params: r.param ? { [r.param[1]]: String(opts.value) } : {},
  });
  const operation = doc.paths[template]?.[method];
  expect(operation, `${method} ${template} is not in the document`).toBeDefined();
  const documented = operation.responses[String(res.status)];
  expect(documented, `${method} ${template} answered ${res.status}, which the document does not list: ${JSON.stringify(res.body)}`).toBeDefined();
  const schema = documented.content?.["application/json"]?.schema;
  if (schema) {
    const id = `${method} ${template} ${res.status}`;
    if (!validators.has(id)) validators.set(id, ajv.compile({ ...schema, components: doc.components }));
    const validate = validators.get(id)!;
    expect(validate(res.body), `${id}: ${JSON.stringify(validate.errors)}\n${JSON.stringify(res.body).slice(0, 500)}`).toBe(true);
  } else {
    expect(res.body === null || res.body === "", `${method} ${template} ${res.status} has no documented body`).toBe(true);
  }
  covered.add(`${method} ${template} ${res.status}`);
  return res;
}

/** Waits until no delivery is being sent (leased) and the dispatcher is idle. */
async function settled() {
  for (let i = 0; i < 100; i++) {
    for (let p = pendingKick(); p; p = pendingKick()) await p;
    const rows = (await db().execute(sql`select count(*)::int as n from outbox where locked_until > now()`)) as unknown as { rows: { n: number }[] };
    if (Number(rows.rows[0].n) === 0 && !pendingKick()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

let receiver: Receiver;
beforeAll(async () => {
  process.env.WEBHOOK_ALLOW_PRIVATE_URLS = "1";
  receiver = await startReceiver();
});
afterAll(async () => {
  // deliveries the handlers kicked finish before the receiver and the database go away
  for (let p = pendingKick(); p; p = pendingKick()) await p;
  delete process.env.WEBHOOK_ALLOW_PRIVATE_URLS;
  await receiver.close();
});

describe("OpenAPI document", () => {
  it("is valid OpenAPI 3.1 (@seriousme/openapi-schema-validator)", async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc) as Parameters<Validator["validate"]>[0]);
    expect(result.errors ?? [], JSON.stringify(result.errors)).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
  });

  it("is served at /api/v1/openapi.json without a key", async () => {
    const res = await openapiRoute();
    expect(res.status).toBe(200);
    const body = (await res.json()) as { openapi: string; paths: object };
    expect(body.openapi).toBe("3.1.0");
    expect(Object.keys(body.paths)).toEqual(Object.keys(doc.paths));
  });

  it("lists exactly the operations of the registry, and every route file under app/api/v1 is mapped (or is a device-token route)", () => {
    const fromDoc = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m} ${p}`));
    expect(fromDoc.sort()).toEqual(API_OPERATIONS.map((op) => `${op.method} /api/v1${op.path}`).sort());
    const root = path.resolve(__dirname, "../../app/api/v1");
    const files: string[] = [];
    const walk = (d: string) => {
      for (const n of readdirSync(d)) {
        const p = path.join(d, n);
        if (statSync(p).isDirectory()) walk(p);
        else if (n === "route.ts") files.push(path.relative(root, path.dirname(p)));
      }
    };
    walk(root);
    const mapped = new Set(Object.keys(ROUTES).map((t) => t.replace("/api/v1/", "").replace(/\{(\w+)\}/g, (_, n) => `[${ROUTES[t].param?.[1] ?? n}]`)));
    const unmapped = files.filter((f) => !mapped.has(f) && !["devices/[udid]/status", "devices/[udid]/signals", "devices/[udid]/desired", "openapi.json"].includes(f));
    expect(unmapped).toEqual([]);
  });

  it("every event type has a data schema that accepts its sample", () => {
    for (const e of EVENT_CATALOG) {
      const schema = EVENT_DATA_SCHEMAS[e.type];
      expect(schema, e.type).toBeDefined();
      expect(schema.safeParse(e.sampleData).success, e.type).toBe(true);
    }
  });
});

describe("contract: every operation against the route handlers", () => {
  it("answers as documented, for successes and refusals", async () => {
    const { writeA, readA } = await orgsWithKeys(db());
    const key = writeA.secret;

    // webhooks first, so device events have deliveries
    const wh = await contract("post", "/api/v1/webhooks", {
      key,
      body: { name: "Contract", url: `${receiver.url}/hook`, events: ["device.created", "device.updated", "device.deleted"], headers: [{ name: "X-Team", value: "fleet" }] },
    });
    expect(wh.status).toBe(201);
    const webhookId = wh.body.id;
    await contract("get", "/api/v1/webhooks", { key });
    await contract("get", "/api/v1/webhooks/{id}", { key, value: webhookId });
    await contract("patch", "/api/v1/webhooks/{id}", { key, value: webhookId, body: { description: "from the contract test", authType: "bearer", authToken: "t0ken" } });
    await contract("post", "/api/v1/webhooks/{id}/disable", { key, value: webhookId });
    await contract("post", "/api/v1/webhooks/{id}/enable", { key, value: webhookId });
    const secret = await contract("post", "/api/v1/webhooks/{id}/secret/reveal", { key, value: webhookId });
    expect(secret.body.secret).toMatch(/^whsec_/);
    await contract("post", "/api/v1/webhooks/{id}/secret/rotate", { key, value: webhookId, body: { period: "1h" } });
    const test = await contract("post", "/api/v1/webhooks/{id}/test", { key, value: webhookId, body: { eventType: "device.status.offline" } });
    expect(test.body.response.ok).toBe(true);

    const created = await contract("post", "/api/v1/devices", { key, body: { udid: "contract-1", tags: ["lab"] } });
    const deviceId = created.body.device.id;
    await contract("post", "/api/v1/devices/bulk", { key, body: { devices: [{ udid: "contract-2" }, { udid: "contract-3", name: "Three" }] } });
    await contract("get", "/api/v1/devices", { key, query: "?limit=2" });
    await contract("get", "/api/v1/devices/{id}", { key, value: deviceId });
    await contract("patch", "/api/v1/devices/{id}", { key, value: deviceId, body: { tags: ["lab", "eu"] } });
    await contract("post", "/api/v1/devices/{id}/token", { key, value: deviceId });

    const events = await contract("get", "/api/v1/events", { key, query: "?limit=50&type=device.created" });
    expect(events.body.data.length).toBe(3);
    const eventId = events.body.data[0].id;
    const event = await contract("get", "/api/v1/events/{id}", { key, value: eventId });
    expect(event.body.deliveries).toHaveLength(1);
    await contract("get", "/api/v1/event-types", { key });
    await contract("get", "/api/v1/event-types/{type}", { key, value: "device.status.offline" });

    await receiver.waitForRequests(3);
    const deliveries = await contract("get", "/api/v1/deliveries", { key, query: `?webhook_id=${webhookId}&created_after=2020-01-01T00:00:00Z` });
    expect(deliveries.body.data.length).toBeGreaterThan(0);
    const deliveryId = deliveries.body.data[0].id;
    await contract("get", "/api/v1/deliveries/{id}", { key, value: deliveryId });
    await contract("get", "/api/v1/deliveries/{id}/attempts", { key, value: deliveryId });
    await contract("post", "/api/v1/deliveries/{id}/redeliver", { key, value: deliveryId });
    await contract("post", "/api/v1/deliveries/replay", { key, body: { since: "2026-01-01T00:00:00Z" } });

    // let the kicked deliveries finish first (a webhook deleted mid-send makes the engine's write-back fail: reported)
    await settled();
    await contract("delete", "/api/v1/devices/{id}", { key, value: deviceId });
    await settled();
    await contract("delete", "/api/v1/webhooks/{id}", { key, value: webhookId });

    // refusals, also as documented
    expect((await contract("get", "/api/v1/devices", {})).status).toBe(401);
    expect((await contract("post", "/api/v1/devices", { key: readA.secret, body: { udid: "x" } })).status).toBe(403);
    expect((await contract("get", "/api/v1/devices/{id}", { key, value: deviceId })).status).toBe(404);
    expect((await contract("get", "/api/v1/events/{id}", { key, value: "evt_nope" })).status).toBe(404);
    expect((await contract("get", "/api/v1/event-types/{type}", { key, value: "no.such.type" })).status).toBe(404);
    expect((await contract("post", "/api/v1/devices", { key, body: { udid: "contract-2" } })).status).toBe(409);
    expect((await contract("post", "/api/v1/webhooks", { key, body: { name: "x", url: "ftp://nope", events: [] } })).status).toBe(400);
    expect((await contract("get", "/api/v1/deliveries", { key, query: "?created_after=yesterday" })).status).toBe(400);
    expect((await contract("post", "/api/v1/deliveries/replay", { key, body: { since: "2026-01-01T00:00:00Z", extra: 1 } })).status).toBe(400);

    // every operation was called with a success status
    for (const op of API_OPERATIONS) {
      const ok = [...covered].some((c) => c.startsWith(`${op.method} /api/v1${op.path} 2`));
      expect(ok, `${op.operationId} was not exercised`).toBe(true);
    }
  });
});
