import "server-only";
import { z } from "zod";
import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { webhooks } from "@/db/schema";
import { checkEndpoint, sendTestEvent } from "@/lib/delivery/test-event";
import { allowPrivateUrls } from "@/lib/env";
import { UserError } from "@/lib/errors";
import { EVENT_TYPES, SUBSCRIBABLE_EVENT_TYPES } from "@/lib/events/catalog";
import { hitRateLimit } from "@/lib/rate-limit";
import {
  BODY_TEMPLATE_MAX,
  DESCRIPTION_MAX,
  NAME_MAX,
  URL_MAX,
  WEBHOOK_AUTH_TYPES,
  WEBHOOK_DEVICE_SCOPES,
  WEBHOOK_FORMATS,
  WEBHOOK_METHODS,
  webhookFormSchema,
} from "@/lib/validation/webhooks";
import {
  auditSecretRevealed,
  createWebhook,
  deleteWebhook,
  findWebhook,
  loadWebhookForSending,
  rotateWebhookSecret,
  setWebhookEnabled,
  updateWebhook,
  webhookFormValues,
  type EndpointCheck,
  type WebhookRow,
} from "@/lib/webhooks/manage";
import { getCurrentSecret, ROTATION_PERIOD_LABELS, ROTATION_PERIODS, type RotationPeriod } from "@/lib/webhooks/secrets";
import { defineOperation, type ApiContext } from "../operation";
import { idParam, isoDateTime } from "../schemas";

const tag = "Webhooks";
const params = z.strictObject({ id: idParam.meta({ description: "Webhook id" }) });
const actor = (ctx: ApiContext) => ({ orgId: ctx.orgId, userId: null });
const endpointCheck = (db: Db): EndpointCheck => (orgId, settings, secrets) => checkEndpoint(db, orgId, settings, secrets);
const TEST_EVENTS_PER_MINUTE = 60;

const nameValue = z.strictObject({ name: z.string().max(256), value: z.string().max(4096) }).meta({ id: "NameValue" });

export const webhookSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    url: z.string(),
    description: z.string(),
    events: z.array(z.string()),
    method: z.enum(WEBHOOK_METHODS),
    format: z.enum(WEBHOOK_FORMATS),
    bodyTemplate: z.string(),
    contentType: z.string(),
    headers: z.array(nameValue),
    queryParams: z.array(nameValue),
    authType: z.enum(WEBHOOK_AUTH_TYPES),
    authUsername: z.string().meta({ description: "Basic authentication's user name (password and token are never returned)" }),
    deviceScope: z.enum(WEBHOOK_DEVICE_SCOPES),
    deviceIds: z.array(z.number().int()),
    deviceTags: z.array(z.string()),
    enabled: z.boolean(),
    disabledReason: z.string().nullable(),
    consecutiveFailures: z.number().int(),
    createdAt: isoDateTime,
    updatedAt: isoDateTime,
  })
  .meta({ id: "Webhook" });

const fields = {
  name: z.string().max(NAME_MAX * 4).meta({ description: `Unique in the organization, at most ${NAME_MAX} characters` }),
  url: z.string().max(URL_MAX * 2).meta({ description: "Absolute https URL (http and private hosts only where allowed)" }),
  description: z.string().max(DESCRIPTION_MAX * 2),
  events: z.array(z.enum(SUBSCRIBABLE_EVENT_TYPES)).max(100),
  method: z.enum(WEBHOOK_METHODS),
  format: z.enum(WEBHOOK_FORMATS),
  bodyTemplate: z.string().max(BODY_TEMPLATE_MAX * 2).meta({ description: "Mustache template (format custom)" }),
  contentType: z.string().max(400).meta({ description: "Content type of the custom body" }),
  headers: z.array(nameValue).max(100),
  queryParams: z.array(nameValue).max(100),
  authType: z.enum(WEBHOOK_AUTH_TYPES),
  authUsername: z.string().max(512),
  authPassword: z.string().max(2048).meta({ description: "Write-only; left out or empty keeps the stored one" }),
  authToken: z.string().max(8192).meta({ description: "Write-only; left out or empty keeps the stored one" }),
  deviceScope: z.enum(WEBHOOK_DEVICE_SCOPES),
  deviceIds: z.array(z.number().int().positive()).max(1000),
  deviceTags: z.array(z.string()).max(100),
  skipEndpointCheck: z.boolean().meta({ description: "Skip the signed webhook.test the URL must answer 2xx to (default false)" }),
};

const createBody = z
  .strictObject({
    ...fields,
    description: fields.description.optional(),
    method: fields.method.optional(),
    format: fields.format.optional(),
    bodyTemplate: fields.bodyTemplate.optional(),
    contentType: fields.contentType.optional(),
    headers: fields.headers.optional(),
    queryParams: fields.queryParams.optional(),
    authType: fields.authType.optional(),
    authUsername: fields.authUsername.optional(),
    authPassword: fields.authPassword.optional(),
    authToken: fields.authToken.optional(),
    deviceScope: fields.deviceScope.optional(),
    deviceIds: fields.deviceIds.optional(),
    deviceTags: fields.deviceTags.optional(),
    skipEndpointCheck: fields.skipEndpointCheck.optional(),
    enabled: z.boolean().optional().meta({ description: "Default true" }),
  })
  .meta({ id: "WebhookCreate" });

const updateBody = createBody.partial().meta({ id: "WebhookUpdate" });

/** A saved webhook as the API shows it: every setting but credentials. */
export function webhookView(row: WebhookRow) {
  return {
    ...webhookFormValues(row),
    enabled: row.enabled,
    disabledReason: row.disabledReason,
    consecutiveFailures: row.consecutiveFailures,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** The API body → the form's validated input (the form schema holds the rules: URL, headers, templates…). */
function formInput(raw: Record<string, unknown>, storedAuthType?: WebhookRow["authType"]) {
  const parsed = webhookFormSchema({ allowHttp: allowPrivateUrls(), storedAuthType }).safeParse({ orgSlug: "", ...raw });
  if (!parsed.success) {
    const fieldErrors = z.flattenError(parsed.error).fieldErrors as Record<string, string[]>;
    const [first] = Object.entries(fieldErrors);
    throw new UserError(first ? `${first[0]}: ${first[1][0]}` : "Invalid webhook settings.", fieldErrors);
  }
  return parsed.data;
}

async function load(ctx: ApiContext, id: number): Promise<WebhookRow> {
  const row = await findWebhook(ctx.db, ctx.orgId, id);
  if (!row) throw new UserError("Webhook not found.", undefined, "not_found");
  return row;
}

export const listWebhooksOp = defineOperation({
  operationId: "listWebhooks",
  method: "get",
  path: "/webhooks",
  tag,
  summary: "List webhooks",
  scope: "read",
  responses: { 200: { description: "Every webhook of the organization", schema: z.object({ data: z.array(webhookSchema) }).meta({ id: "WebhookList" }) } },
  handler: async (ctx) => {
    const rows = await ctx.db.select().from(webhooks).where(eq(webhooks.orgId, ctx.orgId)).orderBy(webhooks.id);
    return { status: 200, body: { data: rows.map(webhookView) } };
  },
});

export const createWebhookOp = defineOperation({
  operationId: "createWebhook",
  method: "post",
  path: "/webhooks",
  tag,
  summary: "Create a webhook",
  description: "Creates a webhook with its signing secret (read it with POST /webhooks/{id}/secret/reveal). Unless skipEndpointCheck, the URL must answer 2xx to a signed webhook.test first.",
  scope: "write",
  body: createBody,
  example: { name: "Alerts", url: "https://example.com/hooks/signalpost", events: ["device.status.offline", "device.status.online"] },
  responses: { 201: { description: "The webhook", schema: webhookSchema } },
  handler: async (ctx, { body }) => {
    const { enabled, ...rest } = body;
    const row = await createWebhook(ctx.db, actor(ctx), formInput(rest), endpointCheck(ctx.db));
    const final = enabled === false ? await setWebhookEnabled(ctx.db, actor(ctx), row.id, false) : row;
    return { status: 201, body: webhookView(final) };
  },
});

export const getWebhookOp = defineOperation({
  operationId: "getWebhook",
  method: "get",
  path: "/webhooks/{id}",
  tag,
  summary: "Get a webhook",
  scope: "read",
  params,
  responses: { 200: { description: "The webhook (no credentials)", schema: webhookSchema } },
  handler: async (ctx, { params: p }) => ({ status: 200, body: webhookView(await load(ctx, p.id)) }),
});

export const updateWebhookOp = defineOperation({
  operationId: "updateWebhook",
  method: "patch",
  path: "/webhooks/{id}",
  tag,
  summary: "Update a webhook",
  description: "Fields left out keep their value; an empty authPassword/authToken keeps the stored one. A new URL is checked like on create unless skipEndpointCheck.",
  scope: "write",
  params,
  body: updateBody,
  example: { events: ["device.status.offline"], headers: [{ name: "X-Team", value: "fleet" }] },
  responses: { 200: { description: "The webhook", schema: webhookSchema } },
  handler: async (ctx, { params: p, body }) => {
    const existing = await load(ctx, p.id);
    const { enabled, ...rest } = body;
    const merged = { ...webhookFormValues(existing), authPassword: "", authToken: "", ...rest };
    let row = await updateWebhook(ctx.db, actor(ctx), existing.id, formInput(merged, existing.authType), endpointCheck(ctx.db));
    if (enabled !== undefined && enabled !== row.enabled) row = await setWebhookEnabled(ctx.db, actor(ctx), row.id, enabled);
    return { status: 200, body: webhookView(row) };
  },
});

export const deleteWebhookOp = defineOperation({
  operationId: "deleteWebhook",
  method: "delete",
  path: "/webhooks/{id}",
  tag,
  summary: "Delete a webhook",
  description: "Its secrets and pending deliveries go with it.",
  scope: "write",
  params,
  responses: { 204: { description: "Deleted" } },
  handler: async (ctx, { params: p }) => {
    await deleteWebhook(ctx.db, actor(ctx), p.id);
    return { status: 204 };
  },
});

const enableOp = (enabled: boolean) =>
  defineOperation({
    operationId: enabled ? "enableWebhook" : "disableWebhook",
    method: "post",
    path: `/webhooks/{id}/${enabled ? "enable" : "disable"}`,
    tag,
    summary: enabled ? "Enable a webhook" : "Disable a webhook",
    description: enabled ? "Clears the failure streak; pending deliveries resume at once." : "Deliveries wait until the webhook is enabled again.",
    scope: "write",
    params,
    responses: { 200: { description: "The webhook", schema: webhookSchema } },
    handler: async (ctx, { params: p }) => ({ status: 200, body: webhookView(await setWebhookEnabled(ctx.db, actor(ctx), p.id, enabled)) }),
  });
export const enableWebhookOp = enableOp(true);
export const disableWebhookOp = enableOp(false);

export const revealWebhookSecretOp = defineOperation({
  operationId: "revealWebhookSecret",
  method: "post",
  path: "/webhooks/{id}/secret/reveal",
  tag,
  summary: "Reveal the signing secret",
  description: "The only way to read a secret; needs a write key and is audited.",
  scope: "write",
  params,
  responses: { 200: { description: "The current secret", schema: z.object({ secret: z.string().meta({ example: "whsec_…" }) }).meta({ id: "WebhookSecret" }) } },
  handler: async (ctx, { params: p }) => {
    const row = await load(ctx, p.id);
    const secret = await getCurrentSecret(ctx.db, ctx.orgId, row.id);
    if (!secret) throw new UserError("This webhook has no signing secret; rotate it to create one.", undefined, "conflict");
    await auditSecretRevealed(ctx.db, actor(ctx), row);
    return { status: 200, body: { secret } };
  },
});

const periods = Object.keys(ROTATION_PERIODS) as [RotationPeriod, ...RotationPeriod[]];

export const rotateWebhookSecretOp = defineOperation({
  operationId: "rotateWebhookSecret",
  method: "post",
  path: "/webhooks/{id}/secret/rotate",
  tag,
  summary: "Rotate the signing secret",
  description: "Creates a new secret; the old one keeps verifying for the transition period (deliveries carry both signatures).",
  scope: "write",
  params,
  body: z.strictObject({ period: z.enum(periods).default("24h").meta({ description: "How long the old secret stays valid" }) }).meta({ id: "WebhookRotate" }),
  example: { period: "24h" },
  responses: {
    200: {
      description: "The new secret",
      schema: z.object({ secret: z.string(), previousExpiresAt: isoDateTime.nullable() }).meta({ id: "WebhookRotated" }),
    },
  },
  handler: async (ctx, { params: p, body }) => {
    await load(ctx, p.id);
    const { secret, previousExpiresAt } = await rotateWebhookSecret(ctx.db, actor(ctx), p.id, ROTATION_PERIODS[body.period], ROTATION_PERIOD_LABELS[body.period]);
    return { status: 200, body: { secret, previousExpiresAt: previousExpiresAt?.toISOString() ?? null } };
  },
});

const testResultSchema = z
  .object({
    eventId: z.string(),
    eventType: z.string(),
    request: z.object({ method: z.string(), url: z.string(), headers: z.record(z.string(), z.string()), body: z.string() }),
    response: z.object({
      ok: z.boolean(),
      status: z.number().int().nullable(),
      headers: z.record(z.string(), z.string()),
      body: z.string(),
      durationMs: z.number(),
      error: z.string().nullable(),
      errorCode: z.string().nullable(),
      bytesRead: z.number().int().optional().meta({ description: "Response body bytes read (reading stops after 64 KB)" }),
    }),
    temporarySecret: z.boolean().meta({ description: "Signed with a throwaway secret (never true for a saved webhook)" }),
    note: z.string().nullable(),
  })
  .meta({ id: "WebhookTestResult" });

export const testWebhookOp = defineOperation({
  operationId: "testWebhook",
  method: "post",
  path: "/webhooks/{id}/test",
  tag,
  summary: "Send a test event",
  description: "Sends a sample event (webhook.test by default) through the real delivery path and returns what was sent and what came back. Logged as a test delivery; at most 60 a minute per organization.",
  scope: "write",
  params,
  body: z.strictObject({ eventType: z.enum(EVENT_TYPES).optional().meta({ description: "Default webhook.test" }) }).meta({ id: "WebhookTest" }),
  example: { eventType: "device.status.offline" },
  responses: { 200: { description: "The request sent and the receiver's answer (see response.ok)", schema: testResultSchema } },
  handler: async (ctx, { params: p, body }) => {
    await load(ctx, p.id);
    const limit = await hitRateLimit(ctx.db, `webhook-test:${ctx.orgId}`, TEST_EVENTS_PER_MINUTE, 60);
    if (!limit.allowed) throw new UserError(`Too many test events; try again in ${limit.retryAfterSeconds} s.`, undefined, "rate_limited");
    const { settings, secrets } = await loadWebhookForSending(ctx.db, ctx.orgId, p.id);
    const result = await sendTestEvent(ctx.db, { orgId: ctx.orgId, settings, secrets, eventType: body.eventType ?? "webhook.test", log: true });
    return { status: 200, body: result };
  },
});

export const webhookOperations = [
  listWebhooksOp,
  createWebhookOp,
  getWebhookOp,
  updateWebhookOp,
  deleteWebhookOp,
  enableWebhookOp,
  disableWebhookOp,
  revealWebhookSecretOp,
  rotateWebhookSecretOp,
  testWebhookOp,
];
