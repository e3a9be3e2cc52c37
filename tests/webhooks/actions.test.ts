import { and, eq, sql } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { auditLog, deliveryAttempts, devices, events, outbox, webhookSecrets, webhooks } from "@/db/schema";
import {
  createWebhookAction,
  deleteWebhookAction,
  revealWebhookSecretAction,
  rotateWebhookSecretAction,
  sendTestEventAction,
  setWebhookEnabledAction,
  updateWebhookAction,
} from "@/lib/actions/webhooks";
import { SUBSCRIBABLE_EVENT_TYPES } from "@/lib/events/catalog";
import { getSigningSecrets } from "@/lib/webhooks/secrets";
import { deliveryHealth, listDeliveries, listTestSends } from "@/lib/delivery/log";
import { TEMPORARY_SECRET_NOTE } from "@/lib/delivery/test-event";
import { useTestDatabase } from "../support/db";
import { twoOrgs } from "../support/fixtures";
import { actAs } from "../support/session";
import { useTestReceiver } from "../support/test-receiver";
import { asFormData, webhookForm } from "../support/webhook-fixtures";

const db = useTestDatabase();

const receiver = useTestReceiver();
let receiverUrl = "";
let answer = 200;
beforeAll(() => {
  receiverUrl = `${receiver.url}/hook`;
});
beforeEach(() => {
  answer = 200;
  receiver.respondWith(() => ({
    status: answer,
    headers: { "content-type": "application/json", "x-receiver": "test" },
    body: JSON.stringify({ received: true }),
  }));
  delete process.env.WEBHOOK_LIMIT_PER_ORG;
});

const form = (extra: Record<string, unknown> = {}) =>
  webhookForm("org-a", "Alerts", receiverUrl, { events: ["device.status.offline"], ...extra });


async function create(values: Record<string, unknown> = {}) {
  const state = await createWebhookAction(null, asFormData(form(values)));
  if (!state?.ok) throw new Error(`create failed: ${JSON.stringify(state)}`);
  return (state.data as { id: number }).id;
}

describe("create: every §7 rule refuses with its message on its field and saves nothing", () => {
  const cases: [string, Record<string, unknown>, string, RegExp][] = [
    ["name missing", { name: "" }, "name", /Webhook Name is required/],
    ["name 51 chars", { name: "x".repeat(51) }, "name", /50 characters or fewer/],
    ["URL missing", { url: "" }, "url", /URL is required/],
    ["URL 513 chars", { url: `https://example.com/${"a".repeat(493)}` }, "url", /512 characters or fewer/],
    ["ftp:// URL", { url: "ftp://example.com/x" }, "url", /must start with https:\/\//],
    ["relative URL", { url: "/hooks" }, "url", /absolute URL/],
    ["userinfo in URL", { url: "https://user:pw@example.com/x" }, "url", /user name or password/],
    ["description 513 chars", { description: "d".repeat(513) }, "description", /512 characters or fewer/],
    ["no events", { events: [] }, "events", /at least one event/],
    ["unknown event", { events: ["device.exploded"] }, "events", /Unknown event type/],
    ["webhook.test is not subscribable", { events: ["webhook.test"] }, "events", /Unknown event type/],
    ["bad method", { method: "DELETE" }, "method", /POST, PUT or PATCH/],
    ["21 headers", { headers: Array.from({ length: 21 }, (_, i) => ({ name: `X-H${i}`, value: "v" })) }, "headers", /At most 20 headers/],
    ["21 query parameters", { queryParams: Array.from({ length: 21 }, (_, i) => ({ name: `q${i}`, value: "v" })) }, "queryParams", /At most 20 query parameters/],
    ["header name with a space", { headers: [{ name: "X Bad", value: "1" }] }, "headers", /Header 1: "X Bad" is not a valid header name/],
    ["header value with CR/LF", { headers: [{ name: "X-A", value: "1\r\nX-Injected: yes" }] }, "headers", /Header 1: Line breaks/],
    ["content-type header", { headers: [{ name: "Content-Type", value: "text/plain" }] }, "headers", /set by Signalpost/],
    ["user-agent header", { headers: [{ name: "user-agent", value: "x" }] }, "headers", /set by Signalpost/],
    ["webhook-signature header", { headers: [{ name: "webhook-signature", value: "x" }] }, "headers", /set by Signalpost/],
    ["duplicate header", { headers: [{ name: "X-A", value: "1" }, { name: "x-a", value: "2" }] }, "headers", /listed twice/],
    ["query value with LF", { queryParams: [{ name: "a", value: "1\n2" }] }, "queryParams", /Query parameter 1: Line breaks/],
    ["query name invalid", { queryParams: [{ name: "a b", value: "1" }] }, "queryParams", /not a valid parameter name/],
    ["custom body without template", { format: "custom", bodyTemplate: "", contentType: "application/json" }, "bodyTemplate", /required/],
    ["custom body with a broken template", { format: "custom", bodyTemplate: "{{#data}}", contentType: "application/json" }, "bodyTemplate", /Template error/],
    ["custom body without content type", { format: "custom", bodyTemplate: "x", contentType: "" }, "contentType", /Content type is required/],
    ["basic auth without username", { authType: "basic", authUsername: "", authPassword: "p" }, "authUsername", /Username is required/],
    ["basic auth without password", { authType: "basic", authUsername: "u", authPassword: "" }, "authPassword", /Password is required/],
    ["bearer without token", { authType: "bearer", authToken: "" }, "authToken", /Token is required/],
    ["selected devices, none picked", { deviceScope: "selected", deviceIds: [] }, "deviceIds", /at least one device/],
    ["tags, none given", { deviceScope: "tags", deviceTags: [] }, "deviceTags", /at least one tag/],
  ];
  it.each(cases)("%s", async (_label, values, field, message) => {
    const { ownerA } = await twoOrgs(db());
    actAs(ownerA.id);
    const state = await createWebhookAction(null, asFormData(form(values)));
    expect(state?.ok).toBe(false);
    expect(state?.errors?.[field]?.join(" ")).toMatch(message);
    // the typed values come back (secrets excepted), nothing saved
    expect(state?.values).toBeDefined();
    expect(await db().select().from(webhooks)).toHaveLength(0);
  });

  it("https is required when private URLs are not allowed", async () => {
    const { ownerA } = await twoOrgs(db());
    actAs(ownerA.id);
    const saved = process.env.WEBHOOK_ALLOW_PRIVATE_URLS;
    delete process.env.WEBHOOK_ALLOW_PRIVATE_URLS; // the default: off
    try {
      const state = await createWebhookAction(null, asFormData(form({ url: "http://example.com/x" })));
      expect(state?.errors?.url?.[0]).toMatch(/must use https/);
    } finally {
      process.env.WEBHOOK_ALLOW_PRIVATE_URLS = saved;
    }
  });

  it("name uniqueness is case-sensitive within the org, and per org", async () => {
    const { ownerA, ownerB } = await twoOrgs(db());
    actAs(ownerA.id);
    await create({ name: "Alerts" });
    const dup = await createWebhookAction(null, asFormData(form({ name: "Alerts" })));
    expect(dup?.ok).toBe(false);
    expect(dup?.errors?.name?.[0]).toMatch(/already exists/);
    await create({ name: "alerts" });
    actAs(ownerB.id);
    await create({ orgSlug: "org-b", name: "Alerts" });
    expect(await db().select().from(webhooks)).toHaveLength(3);
  });

  it("refuses past WEBHOOK_LIMIT_PER_ORG with a clear message", async () => {
    const { ownerA } = await twoOrgs(db());
    actAs(ownerA.id);
    process.env.WEBHOOK_LIMIT_PER_ORG = "2";
    await create({ name: "one" });
    await create({ name: "two" });
    const state = await createWebhookAction(null, asFormData(form({ name: "three" })));
    expect(state?.ok).toBe(false);
    expect(state?.message).toMatch(/already has 2 webhooks, the most allowed \(2\)/);
    expect(await db().select().from(webhooks)).toHaveLength(2);
  });

  it("the default limit is 10", async () => {
    const { ownerA } = await twoOrgs(db());
    actAs(ownerA.id);
    for (let i = 0; i < 10; i++) await create({ name: `hook ${i}` });
    const state = await createWebhookAction(null, asFormData(form({ name: "eleven" })));
    expect(state?.message).toMatch(/the most allowed \(10\)/);
  });

  it("selected devices must belong to the org", async () => {
    const { ownerA, orgB } = await twoOrgs(db());
    const [foreign] = await db().insert(devices).values({ orgId: orgB.id, udid: "b-1", name: "B" }).returning();
    actAs(ownerA.id);
    const state = await createWebhookAction(null, asFormData(form({ deviceScope: "selected", deviceIds: [foreign.id] })));
    expect(state?.ok).toBe(false);
    expect(state?.errors?.deviceIds?.[0]).toMatch(/devices of this organization/);
  });
});

describe("create: what is stored", () => {
  it("stores every setting, encrypts credentials and the secret, writes an audit entry", async () => {
    const { ownerA, orgA } = await twoOrgs(db());
    const [dev] = await db().insert(devices).values({ orgId: orgA.id, udid: "a-1", name: "A" }).returning();
    actAs(ownerA.id);
    const id = await create({
      name: "Full",
      description: "all the things",
      events: [...SUBSCRIBABLE_EVENT_TYPES],
      method: "PATCH",
      format: "custom",
      bodyTemplate: '{"udid":"{{deviceUdid}}"}',
      contentType: "application/json",
      headers: [{ name: "X-Team", value: "ops" }, { name: "", value: "" }],
      queryParams: [{ name: "source", value: "{{eventActivity}}" }],
      authType: "basic",
      authUsername: "ops",
      authPassword: "hunter2",
      deviceScope: "selected",
      deviceIds: [dev.id],
    });
    const [row] = await db().select().from(webhooks).where(eq(webhooks.id, id));
    expect(row).toMatchObject({
      orgId: orgA.id,
      name: "Full",
      method: "PATCH",
      format: "custom",
      headers: [{ name: "X-Team", value: "ops" }],
      queryParams: [{ name: "source", value: "{{eventActivity}}" }],
      authType: "basic",
      deviceScope: "selected",
      deviceIds: [dev.id],
      enabled: true,
    });
    expect(row.authEncrypted).toBeTruthy();
    expect(row.authEncrypted).not.toContain("hunter2");
    const secrets = await db().select().from(webhookSecrets).where(eq(webhookSecrets.webhookId, id));
    expect(secrets).toHaveLength(1);
    expect(secrets[0].secretEncrypted).not.toMatch(/^whsec_/);
    const audit = await db().select().from(auditLog).where(eq(auditLog.action, "webhook.created"));
    expect(audit[0]).toMatchObject({ orgId: orgA.id, actorUserId: ownerA.id, targetId: String(id) });
    expect(JSON.stringify(audit[0].details)).not.toContain("hunter2");
  });

  it("the endpoint check sends a signed webhook.test and saves when the receiver answers 2xx", async () => {
    const { adminA } = await twoOrgs(db());
    actAs(adminA.id);
    const id = await create({ skipEndpointCheck: false });
    expect(receiver.requests).toHaveLength(1);
    const secret = (await getSigningSecrets(db(), [id], new Date())).get(id)![0];
    const payload = new Webhook(secret).verify(receiver.requests[0].body, receiver.requests[0].headers as Record<string, string>) as { eventActivity: string };
    expect(payload.eventActivity).toBe("webhook.test");
  });

  it("the endpoint check failing shows why under URL and saves nothing", async () => {
    const { ownerA } = await twoOrgs(db());
    actAs(ownerA.id);
    answer = 500;
    const state = await createWebhookAction(null, asFormData(form({ skipEndpointCheck: false })));
    expect(state?.ok).toBe(false);
    expect(state?.errors?.url?.[0]).toMatch(/Endpoint check failed: receiver answered HTTP 500/);
    expect(await db().select().from(webhooks)).toHaveLength(0);
    // a closed port: connection refused in plain words
    const closed = await createWebhookAction(null, asFormData(form({ url: "http://127.0.0.1:9/x", skipEndpointCheck: false })));
    expect(closed?.errors?.url?.[0]).toMatch(/Endpoint check failed: .*refused/i);
    // the form tells this refusal from the others by its code (it offers "Save anyway"), never by the message
    expect(state?.code).toBe("endpoint_check_failed");
    expect(closed?.code).toBe("endpoint_check_failed");
    const invalid = await createWebhookAction(null, asFormData(form({ name: "" })));
    expect(invalid?.code).toBe("invalid");
  });

  it("Active unticked creates the webhook disabled (with a reason and an audit note); ticked or absent creates it enabled", async () => {
    const { ownerA } = await twoOrgs(db());
    actAs(ownerA.id);
    const off = await create({ name: "Off", enabled: false });
    const offAsText = await create({ name: "Off as text", enabled: "off" });
    const on = await create({ name: "On", enabled: true });
    const absent = await create({ name: "Absent" });
    const rows = new Map((await db().select().from(webhooks)).map((r) => [r.id, r]));
    expect(rows.get(off)).toMatchObject({ enabled: false, disabledReason: expect.stringMatching(/Created inactive/) });
    expect(rows.get(off)!.disabledAt).toBeInstanceOf(Date);
    expect(rows.get(offAsText)!.enabled).toBe(false);
    expect(rows.get(on)).toMatchObject({ enabled: true, disabledReason: null, disabledAt: null });
    expect(rows.get(absent)!.enabled).toBe(true);
    const audit = await db().select().from(auditLog).where(and(eq(auditLog.action, "webhook.created"), eq(auditLog.targetId, String(off))));
    expect(audit[0].summary).toMatch(/\(inactive\)/);
    expect(audit[0].details).toMatchObject({ enabled: false });
  });

  it("Active with a value that is neither on nor off is a field error, nothing saved", async () => {
    const { ownerA } = await twoOrgs(db());
    actAs(ownerA.id);
    for (const enabled of ["maybe", 2, { on: true }, null]) {
      const state = await createWebhookAction(null, asFormData(form({ enabled })));
      expect(state?.ok).toBe(false);
      expect(state?.errors?.enabled?.[0]).toMatch(/Active must be on or off/);
    }
    expect(await db().select().from(webhooks)).toHaveLength(0);
  });

  it("a webhook created inactive stays so through the edit form; Enable switches it on", async () => {
    const { ownerA } = await twoOrgs(db());
    actAs(ownerA.id);
    const id = await create({ name: "Later", enabled: false });
    const edited = await updateWebhookAction(null, asFormData(form({ id, name: "Later", enabled: true })));
    expect(edited?.ok).toBe(true);
    // the edit form does not switch a webhook on or off: that is Enable / Disable
    expect((await db().select().from(webhooks).where(eq(webhooks.id, id)))[0].enabled).toBe(false);
    expect((await setWebhookEnabledAction(null, { orgSlug: "org-a", id, enabled: true }))?.ok).toBe(true);
    expect((await db().select().from(webhooks).where(eq(webhooks.id, id)))[0]).toMatchObject({ enabled: true, disabledReason: null });
  });
});

describe("edit", () => {
  it("keeps stored credentials when left blank, runs the endpoint check only on URL change", async () => {
    const { ownerA } = await twoOrgs(db());
    actAs(ownerA.id);
    const id = await create({ authType: "bearer", authToken: "tok-1" });
    const edit = (values: Record<string, unknown>) => updateWebhookAction(null, asFormData(form({ id, authType: "bearer", authToken: "", ...values })));
    const saved = await edit({ name: "Renamed", skipEndpointCheck: false });
    expect(saved?.ok).toBe(true);
    expect(receiver.requests).toHaveLength(0); // same URL: no check
    // test event from the saved webhook carries the kept token
    const test = await sendTestEventAction(null, { orgSlug: "org-a", id });
    expect(test?.ok).toBe(true);
    expect(receiver.requests[0].headers.authorization).toBe("Bearer tok-1");
    // URL change with a failing receiver: refused under URL
    answer = 503;
    const moved = await edit({ url: `${receiverUrl}/v2`, skipEndpointCheck: false });
    expect(moved?.errors?.url?.[0]).toMatch(/HTTP 503/);
    const [row] = await db().select().from(webhooks).where(eq(webhooks.id, id));
    expect(row.url).toBe(receiverUrl);
    expect(row.name).toBe("Renamed");
    const audit = await db().select().from(auditLog).where(eq(auditLog.action, "webhook.updated"));
    expect(audit).toHaveLength(1);
  });

  it("switching to Basic requires a password", async () => {
    const { ownerA } = await twoOrgs(db());
    actAs(ownerA.id);
    const id = await create({ authType: "bearer", authToken: "tok-1" });
    const state = await updateWebhookAction(null, asFormData(form({ id, authType: "basic", authUsername: "u", authPassword: "" })));
    expect(state?.errors?.authPassword?.[0]).toMatch(/Password is required/);
  });

  it("renaming onto another webhook's exact name is refused; a case variant is fine", async () => {
    const { ownerA } = await twoOrgs(db());
    actAs(ownerA.id);
    await create({ name: "Alerts" });
    const id = await create({ name: "Other" });
    expect((await updateWebhookAction(null, asFormData(form({ id, name: "Alerts" }))))?.errors?.name?.[0]).toMatch(/already exists/);
    expect((await updateWebhookAction(null, asFormData(form({ id, name: "ALERTS" }))))?.ok).toBe(true);
  });
});

describe("test events", () => {
  it("on an unsaved form: signed with a throwaway secret, shows status, latency, headers and body", async () => {
    const { ownerA } = await twoOrgs(db());
    actAs(ownerA.id);
    const state = await sendTestEventAction(
      null,
      form({ eventType: "device.status.online", headers: [{ name: "X-Device", value: "{{deviceName}}" }], authType: "basic", authUsername: "u", authPassword: "p" }),
    );
    expect(state?.ok).toBe(true);
    const data = state!.data as { response: { status: number; durationMs: number; headers: Record<string, string>; body: string }; request: { headers: Record<string, string> } };
    expect(data.response.status).toBe(200);
    expect(data.response.durationMs).toBeGreaterThanOrEqual(0);
    expect(data.response.headers["x-receiver"]).toBe("test");
    expect(data.response.body).toBe('{"received":true}');
    expect(data.request.headers.authorization).toBe("Basic ••••••");
    expect(receiver.requests[0].headers["x-device"]).toBe("Galaxy Note 8");
    expect(receiver.requests[0].headers["webhook-signature"]).toMatch(/^v1,/);
    expect(JSON.parse(receiver.requests[0].body).eventActivity).toBe("device.status.online");
    expect(await db().select().from(deliveryAttempts)).toHaveLength(0);
  });

  it("on an unsaved form with a broken URL: field error, nothing sent", async () => {
    const { ownerA } = await twoOrgs(db());
    actAs(ownerA.id);
    const state = await sendTestEventAction(null, form({ url: "ftp://x" }));
    expect(state?.errors?.url?.[0]).toMatch(/https/);
    expect(receiver.requests).toHaveLength(0);
  });

  it("failures come back in plain words", async () => {
    const { ownerA } = await twoOrgs(db());
    actAs(ownerA.id);
    const state = await sendTestEventAction(null, form({ url: "http://127.0.0.1:9/x" }));
    expect(state?.ok).toBe(false);
    expect(state?.message).toMatch(/refused/i);
  });

  it("an unsaved form's result says it was signed with a temporary secret; a saved webhook's does not", async () => {
    const { ownerA } = await twoOrgs(db());
    actAs(ownerA.id);
    const unsaved = await sendTestEventAction(null, form());
    expect(unsaved?.ok).toBe(true);
    expect(unsaved!.data).toMatchObject({ temporarySecret: true, note: TEMPORARY_SECRET_NOTE });
    expect(TEMPORARY_SECRET_NOTE).toBe(
      "signed with a temporary secret — a receiver that verifies signatures will answer 401 until the webhook is saved",
    );
    const id = await create();
    const saved = await sendTestEventAction(null, { orgSlug: "org-a", id });
    expect(saved!.data).toMatchObject({ temporarySecret: false, note: null });
    // the request that was sent is in the result too (credentials masked), not only the response
    expect((saved!.data as { request: { url: string; body: string } }).request).toMatchObject({ url: receiverUrl });
  });

  it("a saved webhook's test sends are listed in its delivery log marked Test, and left out of its health figures", async () => {
    const { ownerA, orgA, orgB } = await twoOrgs(db());
    actAs(ownerA.id);
    const id = await create();
    answer = 500;
    await sendTestEventAction(null, { orgSlug: "org-a", id, eventType: "device.status.online" }); // answered 500
    answer = 200;
    expect((await sendTestEventAction(null, { orgSlug: "org-a", id }))?.ok).toBe(true);
    // a test from an unsaved form belongs to no webhook
    await sendTestEventAction(null, form());
    const tests = await listTestSends(db(), orgA.id, id);
    expect(tests.map((t) => [t.isTest, t.eventType, t.responseStatus])).toEqual([
      [true, "webhook.test", 200],
      [true, "device.status.online", 500],
    ]);
    expect(tests[0].requestHeaders["webhook-signature"]).toMatch(/^v1,/);
    expect(JSON.parse(tests[0].requestBody)).toMatchObject({ eventActivity: "webhook.test", webhookId: id });
    // not deliveries: the log's deliveries, the health buckets and the list's figures leave them out
    expect((await listDeliveries(db(), orgA.id, { webhookId: id })).items).toHaveLength(0);
    const health = await deliveryHealth(db(), orgA.id, id);
    expect(health.reduce((n, b) => n + b.succeeded + b.failed, 0)).toBe(0);
    // another org never sees them
    expect(await listTestSends(db(), orgB.id, id)).toEqual([]);
  });

  it.each(SUBSCRIBABLE_EVENT_TYPES.map((t) => [t]))("saved webhook, %s: verified by the receiver and logged as a test delivery", async (type) => {
    const { ownerA, orgA } = await twoOrgs(db());
    actAs(ownerA.id);
    const id = await create({ format: "form" });
    const state = await sendTestEventAction(null, { orgSlug: "org-a", id, eventType: type });
    expect(state?.ok).toBe(true);
    const secret = (await getSigningSecrets(db(), [id], new Date())).get(id)![0];
    expect(() => new Webhook(secret).verify(receiver.requests[0].body, receiver.requests[0].headers as Record<string, string>, { jsonParse: false } as never)).not.toThrow();
    expect(new URLSearchParams(receiver.requests[0].body).get("eventActivity")).toBe(type);
    const [attempt] = await db().select().from(deliveryAttempts);
    expect(attempt).toMatchObject({ orgId: orgA.id, webhookId: id, isTest: true, eventType: type, responseStatus: 200, outboxId: null });
  });
});

describe("secrets: reveal and rotate", () => {
  it("reveal returns the current secret and is audited; rotation overlap signs with both", async () => {
    const { adminA } = await twoOrgs(db());
    actAs(adminA.id);
    const id = await create();
    const revealed = await revealWebhookSecretAction(null, { orgSlug: "org-a", id });
    const oldSecret = (revealed?.data as { secret: string }).secret;
    expect(oldSecret).toMatch(/^whsec_/);
    const rotated = await rotateWebhookSecretAction(null, { orgSlug: "org-a", id, period: "24h" });
    expect(rotated?.ok).toBe(true);
    const newSecret = (rotated?.data as { secret: string }).secret;
    expect(newSecret).not.toBe(oldSecret);
    await sendTestEventAction(null, { orgSlug: "org-a", id });
    const req = receiver.requests[0];
    expect((req.headers["webhook-signature"] as string).split(" ")).toHaveLength(2);
    for (const s of [oldSecret, newSecret]) expect(new Webhook(s).verify(req.body, req.headers as Record<string, string>)).toBeTruthy();
    const actions = (await db().select().from(auditLog)).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(["webhook.secret_revealed", "webhook.secret_rotated"]));
  });

  it("rotation with no transition: only the new secret verifies", async () => {
    const { ownerA } = await twoOrgs(db());
    actAs(ownerA.id);
    const id = await create();
    const oldSecret = ((await revealWebhookSecretAction(null, { orgSlug: "org-a", id }))?.data as { secret: string }).secret;
    const newSecret = ((await rotateWebhookSecretAction(null, { orgSlug: "org-a", id, period: "none" }))?.data as { secret: string }).secret;
    await sendTestEventAction(null, { orgSlug: "org-a", id });
    const req = receiver.requests[0];
    expect(new Webhook(newSecret).verify(req.body, req.headers as Record<string, string>)).toBeTruthy();
    expect(() => new Webhook(oldSecret).verify(req.body, req.headers as Record<string, string>)).toThrow();
  });
});

describe("enable / disable / delete", () => {
  it("re-enabling resets the failure streak and makes parked deliveries due now", async () => {
    const { ownerA, orgA } = await twoOrgs(db());
    actAs(ownerA.id);
    const id = await create();
    const later = new Date(Date.now() + 3600_000);
    await db().update(webhooks).set({ enabled: false, disabledReason: "20 failures since yesterday", consecutiveFailures: 20, failingSince: new Date(0) }).where(eq(webhooks.id, id));
    await db().insert(events).values({ id: "evt_1", orgId: orgA.id, type: "device.created", payload: {} });
    // parked, as a claim leaves the rows of a disabled webhook
    await db().insert(outbox).values({ orgId: orgA.id, eventId: "evt_1", webhookId: id, nextAttemptAt: sql`'infinity'::timestamptz` });
    const before = Date.now();
    expect((await setWebhookEnabledAction(null, { orgSlug: "org-a", id, enabled: true }))?.ok).toBe(true);
    const [row] = await db().select().from(webhooks).where(eq(webhooks.id, id));
    expect(row).toMatchObject({ enabled: true, disabledReason: null, consecutiveFailures: 0, failingSince: null });
    const [pending] = await db().select().from(outbox);
    expect(pending.nextAttemptAt.getTime()).toBeLessThan(later.getTime());
    expect(pending.nextAttemptAt.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect((await setWebhookEnabledAction(null, { orgSlug: "org-a", id, enabled: false }))?.ok).toBe(true);
    const [off] = await db().select().from(webhooks).where(eq(webhooks.id, id));
    expect(off).toMatchObject({ enabled: false, disabledReason: "Disabled by a user" });
    const actions = (await db().select().from(auditLog)).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(["webhook.enabled", "webhook.disabled"]));
  });

  it("delete removes the webhook, its secrets and its pending deliveries", async () => {
    const { ownerA, orgA } = await twoOrgs(db());
    actAs(ownerA.id);
    const id = await create();
    await db().insert(events).values({ id: "evt_2", orgId: orgA.id, type: "device.created", payload: {} });
    await db().insert(outbox).values({ orgId: orgA.id, eventId: "evt_2", webhookId: id });
    expect((await deleteWebhookAction(null, { orgSlug: "org-a", id }))?.ok).toBe(true);
    expect(await db().select().from(webhooks)).toHaveLength(0);
    expect(await db().select().from(webhookSecrets)).toHaveLength(0);
    expect(await db().select().from(outbox)).toHaveLength(0);
    expect((await db().select().from(auditLog).where(eq(auditLog.action, "webhook.deleted")))[0].summary).toMatch(/Deleted webhook "Alerts"/);
  });
});

describe("permissions and tenancy for every webhook action", () => {
  async function setup() {
    const cast = await twoOrgs(db());
    actAs(cast.ownerA.id);
    const id = await create();
    return { ...cast, id };
  }
  const actions = (id: number, slug = "org-a") =>
    [
      ["create", () => createWebhookAction(null, asFormData(form({ orgSlug: slug, name: "New" })))],
      ["update", () => updateWebhookAction(null, asFormData(form({ orgSlug: slug, id, name: "Hijacked" })))],
      ["delete", () => deleteWebhookAction(null, { orgSlug: slug, id })],
      ["disable", () => setWebhookEnabledAction(null, { orgSlug: slug, id, enabled: false })],
      ["reveal", () => revealWebhookSecretAction(null, { orgSlug: slug, id })],
      ["rotate", () => rotateWebhookSecretAction(null, { orgSlug: slug, id, period: "none" })],
      ["test saved", () => sendTestEventAction(null, { orgSlug: slug, id })],
      ["test form", () => sendTestEventAction(null, form({ orgSlug: slug }))],
    ] as const;

  async function unchanged(id: number) {
    const [row] = await db().select().from(webhooks).where(eq(webhooks.id, id));
    expect(row).toMatchObject({ name: "Alerts", enabled: true });
    expect(await db().select().from(webhooks)).toHaveLength(1);
    expect(await db().select().from(webhookSecrets)).toHaveLength(1);
    expect(receiver.requests).toHaveLength(0);
  }

  it("orgA member: every write refused with a permission message, nothing changes, no secret", async () => {
    const { memberA, id } = await setup();
    actAs(memberA.id);
    for (const [label, run] of actions(id)) {
      const state = await run();
      expect(state?.ok, label).toBe(false);
      expect(state?.message, label).toMatch(/permission/);
      expect(JSON.stringify(state), label).not.toContain("whsec_");
    }
    await unchanged(id);
  });

  it("orgB owner naming org A: refused as not found", async () => {
    const { ownerB, id } = await setup();
    actAs(ownerB.id);
    for (const [label, run] of actions(id)) {
      const state = await run();
      expect(state?.ok, label).toBe(false);
      expect(state?.message, label).toMatch(/not found/i);
    }
    await unchanged(id);
  });

  it("orgB owner using A's webhook id under org B: not found", async () => {
    const { ownerB, id } = await setup();
    actAs(ownerB.id);
    for (const [label, run] of actions(id, "org-b").filter(([l]) => l !== "create" && l !== "test form")) {
      const state = await run();
      expect(state?.ok, label).toBe(false);
      expect(state?.message, label).toMatch(/not found/i);
    }
    await unchanged(id);
    expect(await db().select().from(webhookSecrets).where(and(eq(webhookSecrets.webhookId, id)))).toHaveLength(1);
  });

  it("signed out: refused", async () => {
    const { id } = await setup();
    actAs(null);
    for (const [label, run] of actions(id)) expect((await run())?.message, label).toMatch(/sign in/i);
    await unchanged(id);
  });
});

describe("GET /api/orgs/{slug}/webhooks", () => {
  it("lists the org's webhooks with health for any member, never secrets; other orgs get 404", async () => {
    const { GET } = await import("@/app/api/orgs/[slug]/webhooks/route");
    const { ownerA, memberA, ownerB, orgA } = await twoOrgs(db());
    actAs(ownerA.id);
    const id = await create({ authType: "bearer", authToken: "tok-secret" });
    await db().insert(deliveryAttempts).values([
      { orgId: orgA.id, webhookId: id, requestMethod: "POST", requestUrl: "x", requestHeaders: {}, requestBody: "", responseStatus: 200 },
      { orgId: orgA.id, webhookId: id, requestMethod: "POST", requestUrl: "x", requestHeaders: {}, requestBody: "", responseStatus: 500, error: "receiver answered HTTP 500", attemptedAt: new Date(Date.now() + 1000) },
      { orgId: orgA.id, webhookId: id, requestMethod: "POST", requestUrl: "x", requestHeaders: {}, requestBody: "", responseStatus: 200, isTest: true },
    ]);
    const call = () => GET(new Request("http://localhost/api/orgs/org-a/webhooks") as never, { params: Promise.resolve({ slug: "org-a" }) });
    actAs(memberA.id);
    const res = await call();
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toMatch(/whsec_|tok-secret|auth_?encrypted/i);
    const body = JSON.parse(text) as { webhooks: { id: number; attempts24h: number; succeeded24h: number; lastStatus: number }[] };
    expect(body.webhooks).toHaveLength(1);
    expect(body.webhooks[0]).toMatchObject({ id, attempts24h: 2, succeeded24h: 1, lastStatus: 500 });
    actAs(ownerB.id);
    expect((await call()).status).toBe(404);
    actAs(null);
    expect((await call()).status).toBe(401);
  });
});

describe("test event rate limit", () => {
  it("at most 60 test events a minute per org: real sends until refused; another org is not affected", async () => {
    const { ownerA, ownerB } = await twoOrgs(db());
    actAs(ownerA.id);
    let sent = 0;
    let refused: Awaited<ReturnType<typeof sendTestEventAction>> = null;
    for (let i = 0; i < 70 && !refused; i++) {
      const state = await sendTestEventAction(null, form());
      if (state?.ok) sent++;
      else refused = state;
    }
    expect(sent).toBe(60);
    expect(receiver.requests).toHaveLength(60);
    expect(refused?.message).toMatch(/Too many test events; try again in \d+ s/);
    // refused before anything is sent
    expect((await sendTestEventAction(null, form()))?.ok).toBe(false);
    expect(receiver.requests).toHaveLength(60);
    // the limit is the org's: org B still sends
    actAs(ownerB.id);
    expect((await sendTestEventAction(null, form({ orgSlug: "org-b" })))?.ok).toBe(true);
    expect(receiver.requests).toHaveLength(61);
  });
});
