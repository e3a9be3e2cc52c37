import "server-only";
import { sql, type SQL } from "drizzle-orm";
import { webhooks } from "@/db/schema";
import { decryptSecret, encryptSecret } from "@/lib/crypto/encryption";
import type { WebhookAuth, WebhookSettings } from "./types";

type WebhookRow = typeof webhooks.$inferSelect;

/** Decrypts a webhook's stored credentials. */
export function decryptAuth(row: Pick<WebhookRow, "authType" | "authEncrypted">): WebhookAuth {
  if (row.authType === "none" || !row.authEncrypted) return { type: "none" };
  const secret = JSON.parse(decryptSecret(row.authEncrypted)) as Record<string, string>;
  if (row.authType === "basic") return { type: "basic", username: secret.username ?? "", password: secret.password ?? "" };
  return { type: "bearer", token: secret.token ?? "" };
}

/** Encrypts credentials for the auth_encrypted column (null for none). */
export function encryptAuth(auth: WebhookAuth): string | null {
  if (auth.type === "basic") return encryptSecret(JSON.stringify({ username: auth.username, password: auth.password }));
  if (auth.type === "bearer") return encryptSecret(JSON.stringify({ token: auth.token }));
  return null;
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
    headers: row.headers ?? [],
    queryParams: row.queryParams ?? [],
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
