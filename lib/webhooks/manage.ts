import "server-only";
// Webhook writes: create, update, delete, enable/disable, rotate, with their audit entries (reads: queries.ts). Just over
// 350 lines because every write carries its own validation (names, devices, URL at save) and sealing of secrets.
import { and, count, eq, inArray, sql } from "drizzle-orm";
import { queryRows, type Db } from "@/db/client";
import { hasSqlState } from "@/db/errors";
import { devices, webhooks } from "@/db/schema";
import { UserError } from "@/lib/errors";
import { recordAudit } from "@/lib/audit";
import { intEnv } from "@/lib/env";
import { ENDPOINT_CHECK_FAILED, type WebhookFormInput, type WebhookRequestInput } from "@/lib/validation/webhooks";
import { createSecret, getSigningSecrets, rotateSecret } from "./secrets";
import { bumpedUpdatedAt, decryptAuth, encryptAuth, maskedNameValues, openNameValues, sealNameValues } from "./settings";
import type { WebhookRef } from "./sealed";
import { resumeParkedDeliveries } from "./parking";
import { newWebhookSecret } from "./signing";
import { urlProblemAtSave } from "./url-guard";
import type { WebhookAuth, WebhookSettings } from "./types";
import type { Actor } from "@/lib/actor";
import { settingsFromInput } from "./form-settings";
import { requireWebhook, type WebhookRow } from "./queries";


/** The disabled reason of a webhook created with Active unticked. */
export const CREATED_INACTIVE = "Created inactive: enable it to start deliveries";

/** WEBHOOK_LIMIT_PER_ORG, default 10. */
export function webhookLimit(): number {
  return intEnv("WEBHOOK_LIMIT_PER_ORG", 10);
}

/** The form's credentials, with blank secrets replaced by the stored ones when the auth type is unchanged. */
export function authFromInput(input: WebhookRequestInput, stored?: Pick<WebhookRow, "id" | "orgId" | "authType" | "authEncrypted"> | null): WebhookAuth {
  const previous = stored ? decryptAuth(stored) : ({ type: "none" } as WebhookAuth);
  if (input.authType === "basic") {
    const password = input.authPassword || (previous.type === "basic" ? previous.password : "");
    return { type: "basic", username: input.authUsername, password };
  }
  if (input.authType === "bearer") {
    return { type: "bearer", token: input.authToken || (previous.type === "bearer" ? previous.token : "") };
  }
  return { type: "none" };
}

/** The form's header/query rows, with secret rows left blank filled in from the stored webhook (to send). */
function rowsToSend(rows: WebhookRequestInput["headers"], purpose: "header" | "query", stored?: WebhookRow | null) {
  const opened = stored ? openNameValues(stored, purpose, purpose === "header" ? stored.headers : stored.queryParams) : [];
  return rows.map((r) => {
    if (!r.secret || r.value) return r;
    const same = opened.find((o) => o.secret && (purpose === "header" ? o.name.toLowerCase() === r.name.toLowerCase() : o.name === r.name));
    return { ...r, value: same?.value ?? "" };
  });
}

/**
 * The settings a request is sent with (test events, the endpoint check): the one form → settings mapping
 * (form-settings.ts), with the secret header/query values an edit form left blank filled in from `stored` (they are
 * never sent to the browser).
 */
export function settingsForSending(
  input: WebhookRequestInput & { name?: string },
  id: number | null,
  auth: WebhookAuth,
  stored?: WebhookRow | null,
): WebhookSettings {
  return settingsFromInput(
    { ...input, headers: rowsToSend(input.headers, "header", stored), queryParams: rowsToSend(input.queryParams, "query", stored) },
    id,
    auth,
  );
}

/**
 * The columns to store for webhook `ref`: credentials and secret header/query values encrypted and bound to it.
 * A secret row left blank keeps its stored value; one with no value at all is refused.
 */
function columnsFromInput(input: WebhookFormInput, auth: WebhookAuth, ref: WebhookRef, stored?: WebhookRow | null) {
  const headers = sealNameValues(ref, "header", input.headers, stored?.headers);
  const queryParams = sealNameValues(ref, "query", input.queryParams, stored?.queryParams);
  if (headers.missing !== null || queryParams.missing !== null) {
    const errors: Record<string, string[]> = {};
    if (headers.missing !== null) errors.headers = [`Header "${headers.missing}" is marked secret but has no value.`];
    if (queryParams.missing !== null) errors.queryParams = [`Query parameter "${queryParams.missing}" is marked secret but has no value.`];
    throw new UserError("Please correct the highlighted fields.", errors);
  }
  return {
    name: input.name,
    url: input.url,
    description: input.description,
    events: input.events,
    method: input.method,
    format: input.format,
    bodyTemplate: input.format === "custom" ? input.bodyTemplate : null,
    contentType: input.format === "custom" ? input.contentType : null,
    headers: headers.rows,
    queryParams: queryParams.rows,
    authType: auth.type,
    authEncrypted: encryptAuth(ref, auth),
    deviceScope: input.deviceScope,
    deviceIds: input.deviceScope === "selected" ? [...new Set(input.deviceIds)] : [],
    deviceTags: input.deviceScope === "tags" ? [...new Set(input.deviceTags)] : [],
  };
}

/** Refuses a URL whose host resolves to a private/loopback address (unless WEBHOOK_ALLOW_PRIVATE_URLS=1). */
async function assertPublicUrl(url: string): Promise<void> {
  const problem = await urlProblemAtSave(url);
  if (problem) throw new UserError("Please correct the highlighted fields.", { url: [problem] });
}

async function assertDevicesInOrg(db: Db, orgId: number, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  const unique = [...new Set(ids)];
  const [row] = await db
    .select({ n: count() })
    .from(devices)
    .where(and(eq(devices.orgId, orgId), inArray(devices.id, unique)));
  if (Number(row?.n ?? 0) !== unique.length) {
    throw new UserError("Some selected devices do not exist in this organization.", { deviceIds: ["Pick devices of this organization."] });
  }
}

async function assertNameFree(db: Db, orgId: number, name: string, exceptId?: number): Promise<void> {
  const rows = await db
    .select({ id: webhooks.id })
    .from(webhooks)
    .where(and(eq(webhooks.orgId, orgId), eq(webhooks.name, name)));
  if (rows.some((r) => r.id !== exceptId)) {
    throw new UserError("Please correct the highlighted fields.", {
      name: [`A webhook named "${name}" already exists in this organization.`],
    });
  }
}

function summaryOf(input: WebhookFormInput) {
  return { name: input.name, url: input.url, events: input.events, method: input.method, format: input.format, authType: input.authType, deviceScope: input.deviceScope };
}

/**
 * The endpoint check (a signed webhook.test that must answer 2xx): why it failed in words, or null. It sends over
 * HTTP, which is the delivery engine's business (lib/delivery/test-event.ts), so the caller hands it in and this
 * configuration module stays below the engine (docs/architecture.md, "Layers").
 */
export type EndpointCheck = (orgId: number, settings: WebhookSettings, secrets: string[]) => Promise<string | null>;

/** Creates a webhook with its signing secret, after the endpoint check (unless skipped). */
export async function createWebhook(db: Db, actor: Actor, input: WebhookFormInput, checkEndpoint: EndpointCheck): Promise<WebhookRow> {
  const limit = webhookLimit();
  const [{ n }] = await db.select({ n: count() }).from(webhooks).where(eq(webhooks.orgId, actor.orgId));
  if (Number(n) >= limit) {
    throw new UserError(
      `This organization already has ${Number(n)} webhooks, the most allowed (${limit}). Delete one you no longer need to add another.`,
    );
  }
  await assertNameFree(db, actor.orgId, input.name);
  await assertDevicesInOrg(db, actor.orgId, input.deviceIds);
  await assertPublicUrl(input.url);
  const auth = authFromInput(input);
  const secret = newWebhookSecret();
  if (!input.skipEndpointCheck) {
    const why = await checkEndpoint(actor.orgId, settingsForSending(input, null, auth), [secret]);
    if (why) throw new UserError("The endpoint check failed; nothing was saved.", { url: [why] }, ENDPOINT_CHECK_FAILED);
  }
  try {
    return await db.transaction(async (tx) => {
      // re-count inside the transaction, so two concurrent creates cannot both pass the limit by much
      const [{ n: again }] = await tx.select({ n: count() }).from(webhooks).where(eq(webhooks.orgId, actor.orgId));
      if (Number(again) >= limit) throw new UserError(`This organization already has ${limit} webhooks, the most allowed.`);
      // the id is taken first, so the credentials and secret values are sealed for this row in the one insert
      const [{ id }] = await queryRows<{ id: number }>(tx, sql`select nextval(pg_get_serial_sequence('webhooks', 'id'))::int as id`);
      const columns = columnsFromInput(input, auth, { orgId: actor.orgId, webhookId: Number(id) });
      const now = new Date();
      const state = input.enabled ? { enabled: true } : { enabled: false, disabledReason: CREATED_INACTIVE, disabledAt: now };
      const [row] = await tx.insert(webhooks).values({ id: Number(id), orgId: actor.orgId, ...columns, ...state }).returning();
      await createSecret(tx, actor.orgId, row.id, secret);
      await recordAudit(tx, {
        orgId: actor.orgId,
        actorUserId: actor.userId,
        action: "webhook.created",
        targetType: "webhook",
        targetId: row.id,
        summary: `Created webhook "${row.name}" → ${row.url}${row.enabled ? "" : " (inactive)"}`,
        details: { ...summaryOf(input), enabled: input.enabled, endpointCheck: input.skipEndpointCheck ? "skipped" : "passed" },
      });
      return row;
    });
  } catch (err) {
    if (hasSqlState(err, "23505")) {
      throw new UserError("Please correct the highlighted fields.", { name: [`A webhook named "${input.name}" already exists in this organization.`] });
    }
    throw err;
  }
}

/** Saves the edit form. The endpoint check runs again when the URL changed (unless skipped). */
export async function updateWebhook(
  db: Db,
  actor: Actor,
  id: number,
  input: WebhookFormInput,
  checkEndpoint: EndpointCheck,
): Promise<WebhookRow> {
  const existing = await requireWebhook(db, actor.orgId, id);
  await assertNameFree(db, actor.orgId, input.name, id);
  await assertDevicesInOrg(db, actor.orgId, input.deviceIds);
  await assertPublicUrl(input.url);
  const auth = authFromInput(input, existing);
  if (input.url !== existing.url && !input.skipEndpointCheck) {
    const secrets = (await getSigningSecrets(db, [id], new Date())).get(id) ?? [];
    const why = await checkEndpoint(actor.orgId, settingsForSending(input, id, auth, existing), secrets);
    if (why) throw new UserError("The endpoint check failed; nothing was saved.", { url: [why] }, ENDPOINT_CHECK_FAILED);
  }
  const columns = columnsFromInput(input, auth, { orgId: actor.orgId, webhookId: id }, existing);
  const changed = (Object.keys(columns) as (keyof typeof columns)[]).filter((k) => {
    if (k === "authEncrypted") return input.authPassword !== "" || input.authToken !== "" || existing.authType !== auth.type;
    if (k === "headers" || k === "queryParams") {
      // a re-sealed secret has a new ciphertext: compare what the rows say, and count a typed secret as a change
      const typed = (k === "headers" ? input.headers : input.queryParams).some((r) => r.secret && r.value);
      return typed || JSON.stringify(maskedNameValues(columns[k])) !== JSON.stringify(maskedNameValues(existing[k]));
    }
    return JSON.stringify(columns[k]) !== JSON.stringify(existing[k]);
  });
  try {
    return await db.transaction(async (tx) => {
      const [row] = await tx
        .update(webhooks)
        .set({ ...columns, updatedAt: bumpedUpdatedAt(new Date()) })
        .where(and(eq(webhooks.orgId, actor.orgId), eq(webhooks.id, id)))
        .returning();
      await recordAudit(tx, {
        orgId: actor.orgId,
        actorUserId: actor.userId,
        action: "webhook.updated",
        targetType: "webhook",
        targetId: id,
        summary: `Updated webhook "${row.name}"${changed.length ? ` (${changed.join(", ")})` : ""}`,
        details: { changed, ...summaryOf(input) },
      });
      return row;
    });
  } catch (err) {
    if (hasSqlState(err, "23505")) {
      throw new UserError("Please correct the highlighted fields.", { name: [`A webhook named "${input.name}" already exists in this organization.`] });
    }
    throw err;
  }
}

/** Deletes a webhook; its secrets and pending deliveries go with it (cascade), so they stop at once. */
export async function deleteWebhook(db: Db, actor: Actor, id: number): Promise<void> {
  await db.transaction(async (tx) => {
    const [row] = await tx
      .delete(webhooks)
      .where(and(eq(webhooks.orgId, actor.orgId), eq(webhooks.id, id)))
      .returning({ id: webhooks.id, name: webhooks.name, url: webhooks.url });
    if (!row) throw new UserError("Webhook not found.", undefined, "not_found");
    await recordAudit(tx, {
      orgId: actor.orgId,
      actorUserId: actor.userId,
      action: "webhook.deleted",
      targetType: "webhook",
      targetId: id,
      summary: `Deleted webhook "${row.name}" (${row.url})`,
    });
  });
}

/**
 * Enables or disables a webhook by hand. Enabling clears the failure streak and the disabled reason and makes its
 * pending deliveries due now, so they resume at once.
 */
export async function setWebhookEnabled(db: Db, actor: Actor, id: number, enabled: boolean, now = new Date()): Promise<WebhookRow> {
  return db.transaction(async (tx) => {
    // Lock the row first: two concurrent Enables serialize, and the second sees it enabled and does nothing.
    const [current] = await tx
      .select()
      .from(webhooks)
      .where(and(eq(webhooks.orgId, actor.orgId), eq(webhooks.id, id)))
      .for("update");
    if (!current) throw new UserError("Webhook not found.", undefined, "not_found");
    // Already in the asked state: nothing to change, nothing to resume, nothing to audit.
    if (current.enabled === enabled) return current;
    const [row] = await tx
      .update(webhooks)
      .set(
        enabled
          ? { enabled: true, disabledReason: null, disabledAt: null, consecutiveFailures: 0, failingSince: null, updatedAt: now }
          : { enabled: false, disabledReason: "Disabled by a user", disabledAt: now, updatedAt: now },
      )
      .where(and(eq(webhooks.orgId, actor.orgId), eq(webhooks.id, id)))
      .returning();
    // Enable resumes only parked rows (the claim parks a disabled webhook's rows it meets); a row leased to a
    // worker (a send in flight) keeps its lease, so it is never sent twice.
    const resumed = enabled ? await resumeParkedDeliveries(tx, now, id) : 0;
    await recordAudit(tx, {
      orgId: actor.orgId,
      actorUserId: actor.userId,
      action: enabled ? "webhook.enabled" : "webhook.disabled",
      targetType: "webhook",
      targetId: id,
      summary: enabled
        ? `Enabled webhook "${row.name}"${resumed ? `; ${resumed} pending deliveries resume` : ""}`
        : `Disabled webhook "${row.name}"`,
      details: enabled ? { resumedDeliveries: resumed } : undefined,
    });
    return row;
  });
}

/** Rotates a webhook's signing secret with a transition period; returns the new secret. */
export async function rotateWebhookSecret(
  db: Db,
  actor: Actor,
  id: number,
  transitionSeconds: number,
  label: string,
): Promise<{ secret: string; previousExpiresAt: Date | null }> {
  return db.transaction(async (tx) => {
    const row = await requireWebhook(tx, actor.orgId, id);
    const result = await rotateSecret(tx, { orgId: actor.orgId, webhookId: id, transitionSeconds });
    await recordAudit(tx, {
      orgId: actor.orgId,
      actorUserId: actor.userId,
      action: "webhook.secret_rotated",
      targetType: "webhook",
      targetId: id,
      summary: `Rotated the signing secret of "${row.name}" (old secret valid for: ${label})`,
      details: { transitionSeconds, previousExpiresAt: result.previousExpiresAt?.toISOString() ?? null },
    });
    return result;
  });
}

/** Records that someone revealed a webhook's secret. */
export async function auditSecretRevealed(db: Db, actor: Actor, row: WebhookRow): Promise<void> {
  await recordAudit(db, {
    orgId: actor.orgId,
    actorUserId: actor.userId,
    action: "webhook.secret_revealed",
    targetType: "webhook",
    targetId: row.id,
    summary: `Revealed the signing secret of "${row.name}"`,
  });
}

// Reads live in queries.ts; re-exported so a page keeps one import for a webhook.
export {
  describeEvents,
  devicesForPicker,
  listWebhooks,
  loadWebhookForSending,
  pendingDeliveries,
  rotationEndsAt,
  webhookFormValues,
  type WebhookFormValues,
  type WebhookListItem,
  findWebhook,
  requireWebhook,
  type WebhookRow,
} from "./queries";
