import "server-only";
import { sql, type SQL } from "drizzle-orm";
import { webhooks } from "@/db/schema";
import type { NameValue } from "@/db/schema/webhooks";
import { openWebhookValue, sealWebhookValue, type WebhookRef } from "./sealed";
import type { WebhookAuth, WebhookSettings } from "./types";

type WebhookRow = typeof webhooks.$inferSelect;
type RowIdentity = Pick<WebhookRow, "id" | "orgId">;

const refOf = (row: RowIdentity): WebhookRef => ({ orgId: row.orgId, webhookId: row.id });

/** Decrypts a webhook's stored credentials (bound to the row: org id + webhook id). */
export function decryptAuth(row: RowIdentity & Pick<WebhookRow, "authType" | "authEncrypted">): WebhookAuth {
  if (row.authType === "none" || !row.authEncrypted) return { type: "none" };
  const secret = JSON.parse(openWebhookValue(refOf(row), "auth", row.authEncrypted)) as Record<string, string>;
  if (row.authType === "basic") return { type: "basic", username: secret.username ?? "", password: secret.password ?? "" };
  return { type: "bearer", token: secret.token ?? "" };
}

/** Encrypts credentials for the auth_encrypted column of webhook `ref` (null for none). */
export function encryptAuth(ref: WebhookRef, auth: WebhookAuth): string | null {
  if (auth.type === "basic") return sealWebhookValue(ref, "auth", JSON.stringify({ username: auth.username, password: auth.password }));
  if (auth.type === "bearer") return sealWebhookValue(ref, "auth", JSON.stringify({ token: auth.token }));
  return null;
}

/** Stored header/query rows with secret values decrypted (to send; server only). */
export function openNameValues(row: RowIdentity, purpose: "header" | "query", rows: NameValue[]): NameValue[] {
  return rows.map((r) =>
    r.secret ? { name: r.name, value: r.sealed ? openWebhookValue(refOf(row), purpose, r.sealed) : "", secret: true } : { name: r.name, value: r.value },
  );
}

/** Rows as anyone may see them (the form, the detail page): secret values never leave the server. */
export function maskedNameValues(rows: NameValue[]): NameValue[] {
  return rows.map((r) => (r.secret ? { name: r.name, value: "", secret: true } : { name: r.name, value: r.value }));
}

/**
 * Rows to store: secret values sealed for webhook `ref`; a secret row left blank keeps the stored value of the same
 * name (like a blank password). Returns the rows, or the name of a secret row that has no value at all.
 */
export function sealNameValues(
  ref: WebhookRef,
  purpose: "header" | "query",
  rows: NameValue[],
  stored: NameValue[] = [],
): { rows: NameValue[]; missing: string | null } {
  let missing: string | null = null;
  const out = rows.map((r): NameValue => {
    if (!r.secret) return { name: r.name, value: r.value };
    const same = (s: NameValue) => s.secret && s.sealed && (purpose === "header" ? s.name.toLowerCase() === r.name.toLowerCase() : s.name === r.name);
    const sealed = r.value ? sealWebhookValue(ref, purpose, r.value) : stored.find(same)?.sealed;
    if (!sealed) missing ??= r.name;
    return { name: r.name, value: "", secret: true, ...(sealed ? { sealed } : {}) };
  });
  return { rows: out, missing };
}

/** The builder's view of a stored webhook (credentials decrypted; server only). */
export function webhookSettingsFromRow(row: WebhookRow): WebhookSettings {
  return {
    id: row.id,
    name: row.name,
    url: row.url,
    method: row.method,
    format: row.format,
    bodyTemplate: row.bodyTemplate,
    contentType: row.contentType,
    headers: openNameValues(row, "header", row.headers ?? []),
    queryParams: openNameValues(row, "query", row.queryParams ?? []),
    auth: decryptAuth(row),
  };
}

/**
 * The updated_at of a webhook whose settings or secrets change: `now`, but always later than before, because
 * delivery workers key their cache of decrypted settings and secrets on it (a change within the same millisecond
 * must still be seen).
 */
export function bumpedUpdatedAt(now: Date): SQL<Date> {
  return sql<Date>`greatest(${now.toISOString()}::timestamptz, ${webhooks.updatedAt} + interval '1 millisecond')`;
}
