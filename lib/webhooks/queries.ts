import "server-only";
import { and, count, eq, sql } from "drizzle-orm";
import { queryRows, type Db } from "@/db/client";
import { devices, outbox, webhooks } from "@/db/schema";
import { UserError } from "@/lib/errors";
import { catalogEntry, EVENT_TYPES, type EventType } from "@/lib/events/catalog";
import { getSigningSecrets } from "./secrets";
import { decryptAuth, maskedNameValues, webhookSettingsFromRow } from "./settings";

// Reading webhooks for the portal's pages and the sender: the list with health figures, the edit form's values,
// pending counts, rotation state. Writes (create, update, enable, rotate, delete) are in manage.ts.

export type WebhookRow = typeof webhooks.$inferSelect;

/** One webhook of the org, or null (another org's id looks exactly like a missing one). */
export async function findWebhook(db: Db, orgId: number, id: number): Promise<WebhookRow | null> {
  if (!Number.isSafeInteger(id) || id <= 0) return null;
  const [row] = await db.select().from(webhooks).where(and(eq(webhooks.orgId, orgId), eq(webhooks.id, id))).limit(1);
  return row ?? null;
}

export async function requireWebhook(db: Db, orgId: number, id: number): Promise<WebhookRow> {
  const row = await findWebhook(db, orgId, id);
  if (!row) throw new UserError("Webhook not found.", undefined, "not_found");
  return row;
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
    // secret values never leave the server: the form shows them blank ("leave blank to keep")
    headers: maskedNameValues(row.headers),
    queryParams: maskedNameValues(row.queryParams),
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
