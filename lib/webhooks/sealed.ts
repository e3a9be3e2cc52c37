import "server-only";
import { decryptSecret, encryptSecret } from "@/lib/crypto/encryption";

/**
 * Webhook values encrypted at rest (credentials, signing secrets, secret header and query values), bound to their
 * webhook: the org id, the webhook id and what the value is are the AES-GCM associated data, so a ciphertext copied
 * to another webhook, another org or another column does not decrypt (README, "Reliability and security").
 */
export type WebhookRef = { orgId: number; webhookId: number };
export type SealedPurpose = "auth" | "signing-secret" | "header" | "query";

function context(ref: WebhookRef, purpose: SealedPurpose): string {
  return `webhook:${ref.orgId}:${ref.webhookId}:${purpose}`;
}

export function sealWebhookValue(ref: WebhookRef, purpose: SealedPurpose, plaintext: string): string {
  return encryptSecret(plaintext, context(ref, purpose));
}

/** Throws when the value was tampered with, the key changed, or it was sealed for another webhook or purpose. */
export function openWebhookValue(ref: WebhookRef, purpose: SealedPurpose, sealed: string): string {
  return decryptSecret(sealed, context(ref, purpose));
}
