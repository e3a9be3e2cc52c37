import "server-only";
import { and, eq, like } from "drizzle-orm";
import type { Db } from "@/db/client";
import { webhooks, webhookSecrets } from "@/db/schema";
import { decryptSecret } from "@/lib/crypto/encryption";
import { sealWebhookValue } from "./sealed";

/**
 * Seals the webhook values stored before they were bound to their row ("v1": credentials and signing secrets) again
 * as "v2", bound to their org and webhook (sealed.ts). Run at server start; idempotent, and each row is rewritten
 * only if it still holds the value read (compare-and-set), so two servers starting together do no harm. A value
 * that does not decrypt (another key) is left as it is. Returns how many values were resealed.
 */
export async function resealLegacyWebhookValues(db: Db): Promise<number> {
  let resealed = 0;
  const hooks = await db
    .select({ id: webhooks.id, orgId: webhooks.orgId, sealed: webhooks.authEncrypted })
    .from(webhooks)
    .where(like(webhooks.authEncrypted, "v1.%"));
  for (const h of hooks) {
    let plain: string;
    try {
      plain = decryptSecret(h.sealed!);
    } catch {
      continue;
    }
    const rows = await db
      .update(webhooks)
      .set({ authEncrypted: sealWebhookValue({ orgId: h.orgId, webhookId: h.id }, "auth", plain) })
      .where(and(eq(webhooks.id, h.id), eq(webhooks.authEncrypted, h.sealed!)))
      .returning({ id: webhooks.id });
    resealed += rows.length;
  }
  const secrets = await db
    .select({ id: webhookSecrets.id, orgId: webhookSecrets.orgId, webhookId: webhookSecrets.webhookId, sealed: webhookSecrets.secretEncrypted })
    .from(webhookSecrets)
    .where(like(webhookSecrets.secretEncrypted, "v1.%"));
  for (const s of secrets) {
    let plain: string;
    try {
      plain = decryptSecret(s.sealed);
    } catch {
      continue;
    }
    const rows = await db
      .update(webhookSecrets)
      .set({ secretEncrypted: sealWebhookValue({ orgId: s.orgId, webhookId: s.webhookId }, "signing-secret", plain) })
      .where(and(eq(webhookSecrets.id, s.id), eq(webhookSecrets.secretEncrypted, s.sealed)))
      .returning({ id: webhookSecrets.id });
    resealed += rows.length;
  }
  return resealed;
}
