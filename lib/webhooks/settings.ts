import "server-only";
import type { webhooks } from "@/db/schema";
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
