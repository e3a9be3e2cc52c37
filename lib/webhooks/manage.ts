import "server-only";
import { and, count, eq, inArray, sql } from "drizzle-orm";
import { queryRows, type Db } from "@/db/client";
import { devices, outbox, webhooks } from "@/db/schema";
import { UserError } from "@/lib/errors";
import { recordAudit } from "@/lib/audit";
import { intEnv } from "@/lib/env";
import type { WebhookFormInput, WebhookRequestInput } from "@/lib/validation/webhooks";
import { catalogEntry, EVENT_TYPES, type EventType } from "@/lib/events/catalog";
import { createSecret, getSigningSecrets, rotateSecret } from "./secrets";
import { bumpedUpdatedAt, decryptAuth, encryptAuth, webhookSettingsFromRow } from "./settings";
import { newWebhookSecret } from "./signing";
import type { WebhookAuth, WebhookSettings } from "./types";

export type WebhookRow = typeof webhooks.$inferSelect;
type Actor = { orgId: number; userId: number | null };

/** WEBHOOK_LIMIT_PER_ORG, default 10. */
export function webhookLimit(): number {
  return intEnv("WEBHOOK_LIMIT_PER_ORG", 10);
}

/** One webhook of the org, or null (another org's id looks exactly like a missing one). */
export async function findWebhook(db: Db, orgId: number, id: number): Promise<WebhookRow | null> {
  if (!Number.isSafeInteger(id) || id <= 0) return null;
  const [row] = await db.select().from(webhooks).where(and(eq(webhooks.orgId, orgId), eq(webhooks.id, id))).limit(1);
  return row ?? null;
}

async function requireWebhook(db: Db, orgId: number, id: number): Promise<WebhookRow> {
  const row = await findWebhook(db, orgId, id);
  if (!row) throw new UserError("Webhook not found.", undefined, "not_found");
  return row;
}

/** The form's credentials, with blank secrets replaced by the stored ones when the auth type is unchanged. */
export function authFromInput(input: WebhookRequestInput, stored?: Pick<WebhookRow, "authType" | "authEncrypted"> | null): WebhookAuth {
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

/** The builder's settings for the form's values (unsaved or being edited). */
export function settingsFromInput(input: WebhookRequestInput & { name?: string }, id: number | null, auth: WebhookAuth): WebhookSettings {
  return {
    id,
    name: input.name || "Unsaved webhook",
    url: input.url,
    method: input.method,
    format: input.format,
    bodyTemplate: input.format === "custom" ? input.bodyTemplate : null,
    contentType: input.format === "custom" ? input.contentType : null,
    headers: input.headers,
    queryParams: input.queryParams,
    auth,
  };
}

function columnsFromInput(input: WebhookFormInput, auth: WebhookAuth) {
  return {
    name: input.name,
    url: input.url,
    description: input.description,
    events: input.events,
    method: input.method,
    format: input.format,
    bodyTemplate: input.format === "custom" ? input.bodyTemplate : null,
    contentType: input.format === "custom" ? input.contentType : null,
    headers: input.headers,
    queryParams: input.queryParams,
    authType: auth.type,
    authEncrypted: encryptAuth(auth),
    deviceScope: input.deviceScope,
    deviceIds: input.deviceScope === "selected" ? [...new Set(input.deviceIds)] : [],
    deviceTags: input.deviceScope === "tags" ? [...new Set(input.deviceTags)] : [],
  };
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

function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; cause?: { code?: string } };
  return e?.code === "23505" || e?.cause?.code === "23505";
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
  const auth = authFromInput(input);
  const secret = newWebhookSecret();
  if (!input.skipEndpointCheck) {
    const why = await checkEndpoint(actor.orgId, settingsFromInput(input, null, auth), [secret]);
    if (why) throw new UserError("The endpoint check failed; nothing was saved.", { url: [why] });
  }
  try {
    return await db.transaction(async (tx) => {
      // re-count inside the transaction, so two concurrent creates cannot both pass the limit by much
      const [{ n: again }] = await tx.select({ n: count() }).from(webhooks).where(eq(webhooks.orgId, actor.orgId));
      if (Number(again) >= limit) throw new UserError(`This organization already has ${limit} webhooks, the most allowed.`);
      const [row] = await tx.insert(webhooks).values({ orgId: actor.orgId, ...columnsFromInput(input, auth) }).returning();
      await createSecret(tx, actor.orgId, row.id, secret);
      await recordAudit(tx, {
        orgId: actor.orgId,
        actorUserId: actor.userId,
        action: "webhook.created",
        targetType: "webhook",
        targetId: row.id,
        summary: `Created webhook "${row.name}" → ${row.url}`,
        details: { ...summaryOf(input), endpointCheck: input.skipEndpointCheck ? "skipped" : "passed" },
      });
      return row;
    });
  } catch (err) {
    if (isUniqueViolation(err)) {
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
  const auth = authFromInput(input, existing);
  if (input.url !== existing.url && !input.skipEndpointCheck) {
    const secrets = (await getSigningSecrets(db, [id], new Date())).get(id) ?? [];
    const why = await checkEndpoint(actor.orgId, settingsFromInput(input, id, auth), secrets);
    if (why) throw new UserError("The endpoint check failed; nothing was saved.", { url: [why] });
  }
  const columns = columnsFromInput(input, auth);
  const changed = (Object.keys(columns) as (keyof typeof columns)[]).filter((k) => {
    if (k === "authEncrypted") return input.authPassword !== "" || input.authToken !== "" || existing.authType !== auth.type;
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
    if (isUniqueViolation(err)) {
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
    const [row] = await tx
      .update(webhooks)
      .set(
        enabled
          ? { enabled: true, disabledReason: null, disabledAt: null, consecutiveFailures: 0, failingSince: null, updatedAt: now }
          : { enabled: false, disabledReason: "Disabled by a user", disabledAt: now, updatedAt: now },
      )
      .where(and(eq(webhooks.orgId, actor.orgId), eq(webhooks.id, id)))
      .returning();
    if (!row) throw new UserError("Webhook not found.", undefined, "not_found");
    let resumed = 0;
    if (enabled) {
      const rows = await tx
        .update(outbox)
        .set({ nextAttemptAt: now, lockedUntil: null })
        .where(and(eq(outbox.orgId, actor.orgId), eq(outbox.webhookId, id), eq(outbox.status, "pending")))
        .returning({ id: outbox.id });
      resumed = rows.length;
    }
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

/** A saved webhook's builder settings and current signing secrets. */
export async function loadWebhookForSending(db: Db, orgId: number, id: number) {
  const row = await requireWebhook(db, orgId, id);
  const secrets = (await getSigningSecrets(db, [id], new Date())).get(id) ?? [];
  return { row, settings: webhookSettingsFromRow(row), secrets };
}

export type WebhookListItem = {
  id: number;
  name: string;
  url: string;
  description: string;
  events: string[];
  enabled: boolean;
  disabledReason: string | null;
  lastAttemptAt: Date | null;
  lastStatus: number | null;
  lastError: string | null;
  attempts24h: number;
  succeeded24h: number;
};

/** The list page: every webhook of the org with its last delivery result and 24 h success rate (tests excluded). */
export async function listWebhooks(db: Db, orgId: number, now = new Date()): Promise<WebhookListItem[]> {
  const since = new Date(now.getTime() - 86_400_000).toISOString();
  const rows = await queryRows<{
    id: number;
    name: string;
    url: string;
    description: string;
    events: string[];
    enabled: boolean;
    disabled_reason: string | null;
    last_attempt_at: string | Date | null;
    last_status: number | null;
    last_error: string | null;
    attempts_24h: number;
    succeeded_24h: number;
  }>(
    db,
    sql`
      select w.id, w.name, w.url, w.description, w.events, w.enabled, w.disabled_reason,
             last.attempted_at as last_attempt_at, last.response_status as last_status, last.error as last_error,
             coalesce(day.attempts, 0)::int as attempts_24h, coalesce(day.succeeded, 0)::int as succeeded_24h
      from webhooks w
      left join lateral (
        select a.attempted_at, a.response_status, a.error from delivery_attempts a
        where a.webhook_id = w.id and not a.is_test
        order by a.attempted_at desc limit 1
      ) last on true
      left join lateral (
        select count(*) as attempts, count(*) filter (where a.response_status between 200 and 299) as succeeded
        from delivery_attempts a
        where a.webhook_id = w.id and not a.is_test and a.attempted_at > ${since}::timestamptz
      ) day on true
      where w.org_id = ${orgId}
      order by w.name, w.id`,
  );
  return rows.map((r) => ({
    id: Number(r.id),
    name: r.name,
    url: r.url,
    description: r.description,
    events: r.events,
    enabled: r.enabled,
    disabledReason: r.disabled_reason,
    lastAttemptAt: r.last_attempt_at ? new Date(r.last_attempt_at) : null,
    lastStatus: r.last_status,
    lastError: r.last_error,
    attempts24h: Number(r.attempts_24h),
    succeeded24h: Number(r.succeeded_24h),
  }));
}

/** Pending deliveries of one webhook (shown on its page). */
export async function pendingDeliveries(db: Db, orgId: number, id: number): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(outbox)
    .where(and(eq(outbox.orgId, orgId), eq(outbox.webhookId, id), eq(outbox.status, "pending")));
  return Number(row?.n ?? 0);
}

/** The org's devices for the "Selected devices" picker (id, udid, name, tags). */
export async function devicesForPicker(db: Db, orgId: number) {
  return db
    .select({ id: devices.id, udid: devices.udid, name: devices.name, tags: devices.tags })
    .from(devices)
    .where(eq(devices.orgId, orgId))
    .orderBy(devices.name, devices.id)
    .limit(1000);
}

/** What the edit form may know about a saved webhook: everything but credentials. */
export function webhookFormValues(row: WebhookRow) {
  return {
    id: row.id,
    name: row.name,
    url: row.url,
    description: row.description,
    events: row.events,
    method: row.method,
    format: row.format,
    bodyTemplate: row.bodyTemplate ?? "",
    contentType: row.contentType ?? "",
    headers: row.headers,
    queryParams: row.queryParams,
    authType: row.authType,
    // the username is not a secret, and the form needs it to show what is set; password and token never leave
    authUsername: row.authType === "basic" ? (decryptAuth(row) as { username: string }).username : "",
    deviceScope: row.deviceScope,
    deviceIds: row.deviceIds,
    deviceTags: row.deviceTags,
  };
}
export type WebhookFormValues = ReturnType<typeof webhookFormValues>;

/** Event descriptions for a list of types, in catalog words. */
export function describeEvents(types: string[]): string[] {
  const order = (t: string) => {
    const i = EVENT_TYPES.indexOf(t as EventType);
    return i < 0 ? Number.MAX_SAFE_INTEGER : i;
  };
  return [...types].sort((a, b) => order(a) - order(b)).map((t) => catalogEntry(t)?.description ?? t);
}


/** When the rotated-out secret of a webhook stops verifying (null when no rotation is in progress). */
export async function rotationEndsAt(db: Db, orgId: number, id: number, now = new Date()): Promise<Date | null> {
  const [row] = await queryRows<{ expires_at: string | Date | null }>(
    db,
    sql`select max(expires_at) as expires_at from webhook_secrets
        where org_id = ${orgId} and webhook_id = ${id} and expires_at > ${now.toISOString()}::timestamptz`,
  );
  return row?.expires_at ? new Date(row.expires_at) : null;
}
