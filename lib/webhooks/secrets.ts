import "server-only";
import { and, eq, inArray, isNull, isNotNull, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { webhooks, webhookSecrets } from "@/db/schema";
import { openWebhookValue, sealWebhookValue } from "./sealed";
import { bumpedUpdatedAt } from "./settings";
import { newWebhookSecret } from "./signing";

/** Transition periods offered by "Rotate secret", in seconds. */
export const ROTATION_PERIODS = { none: 0, "1h": 3600, "24h": 86_400, "7d": 604_800 } as const;
export type RotationPeriod = keyof typeof ROTATION_PERIODS;
export const ROTATION_PERIOD_LABELS: Record<RotationPeriod, string> = {
  none: "None (old secret stops at once)",
  "1h": "1 hour",
  "24h": "24 hours",
  "7d": "7 days",
};

/**
 * The secrets each webhook signs with right now, decrypted: the current one first, then a rotated-out one that is
 * still in its transition period. One query for the whole batch.
 */
export async function getSigningSecrets(db: Db, webhookIds: number[], now: Date): Promise<Map<number, string[]>> {
  return (await loadSigningSecrets(db, webhookIds, now)).secrets;
}

/** getSigningSecrets, plus when each webhook's list next changes by itself (its rotated-out secret expires). */
export async function loadSigningSecrets(
  db: Db,
  webhookIds: number[],
  now: Date,
): Promise<{ secrets: Map<number, string[]>; changesAt: Map<number, Date> }> {
  const secrets = new Map<number, string[]>();
  const changesAt = new Map<number, Date>();
  if (webhookIds.length === 0) return { secrets, changesAt };
  const rows = await db
    .select({ orgId: webhookSecrets.orgId, webhookId: webhookSecrets.webhookId, secret: webhookSecrets.secretEncrypted, expiresAt: webhookSecrets.expiresAt })
    .from(webhookSecrets)
    .where(
      and(
        inArray(webhookSecrets.webhookId, [...new Set(webhookIds)]),
        sql`(${webhookSecrets.expiresAt} is null or ${webhookSecrets.expiresAt} > ${now.toISOString()}::timestamptz)`,
      ),
    )
    .orderBy(webhookSecrets.webhookId, sql`${webhookSecrets.expiresAt} desc nulls first`, sql`${webhookSecrets.id} desc`);
  for (const row of rows) {
    if (row.expiresAt) {
      const prev = changesAt.get(row.webhookId);
      if (!prev || row.expiresAt < prev) changesAt.set(row.webhookId, row.expiresAt);
    }
    let secret: string;
    try {
      secret = openWebhookValue({ orgId: row.orgId, webhookId: row.webhookId }, "signing-secret", row.secret);
    } catch {
      // One undecryptable secret (APP_ENCRYPTION_KEY / AUTH_SECRET changed) must not stop other webhooks' deliveries;
      // a webhook left without a usable secret fails its own deliveries with a plain reason instead.
      console.error(`[webhooks] a signing secret of webhook ${row.webhookId} could not be decrypted (was APP_ENCRYPTION_KEY changed, or the value copied from another row?)`);
      continue;
    }
    const list = secrets.get(row.webhookId) ?? [];
    list.push(secret);
    secrets.set(row.webhookId, list);
  }
  return { secrets, changesAt };
}

/** The current secret of one webhook (decrypted), or null. Caller has checked the webhook belongs to the org. */
export async function getCurrentSecret(db: Db, orgId: number, webhookId: number): Promise<string | null> {
  const [row] = await db
    .select({ secret: webhookSecrets.secretEncrypted })
    .from(webhookSecrets)
    .where(and(eq(webhookSecrets.orgId, orgId), eq(webhookSecrets.webhookId, webhookId), isNull(webhookSecrets.expiresAt)))
    .orderBy(sql`${webhookSecrets.id} desc`)
    .limit(1);
  return row ? openWebhookValue({ orgId, webhookId }, "signing-secret", row.secret) : null;
}

/** Stores a new current secret for a webhook (on create); returns it. */
export async function createSecret(db: Db, orgId: number, webhookId: number, secret = newWebhookSecret()): Promise<string> {
  await db.insert(webhookSecrets).values({ orgId, webhookId, secretEncrypted: sealWebhookValue({ orgId, webhookId }, "signing-secret", secret) });
  return secret;
}

/**
 * Replaces a webhook's current secret. The old one stays valid for `transitionSeconds` (deliveries carry both
 * signatures meanwhile); 0 ends it at once. Secrets rotated out earlier end now, so at most two are ever valid.
 * Run inside a transaction.
 */
export async function rotateSecret(
  db: Db,
  args: { orgId: number; webhookId: number; transitionSeconds: number; now?: Date },
): Promise<{ secret: string; previousExpiresAt: Date | null }> {
  const now = args.now ?? new Date();
  const scope = and(eq(webhookSecrets.orgId, args.orgId), eq(webhookSecrets.webhookId, args.webhookId));
  // earlier rotated-out secrets: gone
  await db.delete(webhookSecrets).where(and(scope, isNotNull(webhookSecrets.expiresAt)));
  const previousExpiresAt = args.transitionSeconds > 0 ? new Date(now.getTime() + args.transitionSeconds * 1000) : null;
  if (previousExpiresAt) {
    await db.update(webhookSecrets).set({ expiresAt: previousExpiresAt }).where(and(scope, isNull(webhookSecrets.expiresAt)));
  } else {
    await db.delete(webhookSecrets).where(and(scope, isNull(webhookSecrets.expiresAt)));
  }
  const secret = await createSecret(db, args.orgId, args.webhookId);
  // a new version of the webhook: delivery workers drop the settings and secrets they cached for it
  await db.update(webhooks).set({ updatedAt: bumpedUpdatedAt(now) }).where(and(eq(webhooks.orgId, args.orgId), eq(webhooks.id, args.webhookId)));
  return { secret, previousExpiresAt };
}
