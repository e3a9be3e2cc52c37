import "server-only";
import { inArray } from "drizzle-orm";
import type { Db } from "@/db/client";
import { webhooks } from "@/db/schema";
import { loadSigningSecrets } from "@/lib/webhooks/secrets";
import { webhookSettingsFromRow } from "@/lib/webhooks/settings";
import type { WebhookSettings } from "@/lib/webhooks/types";
import type { ClaimedRow } from "./claim";

// ---------------------------------------------------------------------------------------------------------------
// Webhook contexts: decrypted settings and signing secrets, cached per process. An entry is used while the
// webhook row's version (updated_at, read by the claim itself) is unchanged, for at most CONTEXT_TTL_MS, and never
// past the expiry of a rotated-out secret; saving the webhook or rotating its secret bumps the version.
// ---------------------------------------------------------------------------------------------------------------

export type WebhookContext = { settings: WebhookSettings; secrets: string[] } | { error: string };
type CachedContext = { version: number; loadedAt: number; validUntil: number; value: WebhookContext };

const CONTEXT_TTL_MS = 60_000;
const CONTEXT_CACHE_MAX = 2_000;
const g = globalThis as unknown as { __signalpostWebhookContexts?: Map<number, CachedContext> };
const contextCache = (g.__signalpostWebhookContexts ??= new Map());

function cachedContext(webhookId: number, version: number, now: Date): WebhookContext | null {
  const hit = contextCache.get(webhookId);
  if (!hit || hit.version !== version || now.getTime() >= hit.validUntil) return null;
  if (performance.now() - hit.loadedAt > CONTEXT_TTL_MS) return null;
  return hit.value;
}

export const GONE = { error: "the event or webhook no longer exists" } as const;

/**
 * The contexts of the webhooks of claimed rows: from the cache where it holds the version the claim saw, the rest
 * loaded (settings + secrets, two queries) and cached.
 */
export async function contextsFor(db: Db, rows: ClaimedRow[], now: Date): Promise<Map<number, WebhookContext>> {
  const out = new Map<number, WebhookContext>();
  const missing: number[] = [];
  for (const r of rows) {
    if (out.has(r.webhookId)) continue;
    const hit = cachedContext(r.webhookId, r.webhookVersion, now);
    if (hit) out.set(r.webhookId, hit);
    else if (!missing.includes(r.webhookId)) missing.push(r.webhookId);
  }
  if (missing.length === 0) return out;
  const [webhookRows, { secrets, changesAt }] = await Promise.all([
    db.select().from(webhooks).where(inArray(webhooks.id, missing)),
    loadSigningSecrets(db, missing, now),
  ]);
  const loadedAt = performance.now();
  for (const w of webhookRows) {
    let value: WebhookContext;
    try {
      const keys = secrets.get(w.id) ?? [];
      value = keys.length ? { settings: webhookSettingsFromRow(w), secrets: keys } : { error: "the webhook has no signing secret" };
    } catch {
      value = { error: "the webhook's stored credentials could not be decrypted (was APP_ENCRYPTION_KEY changed?)" };
    }
    out.set(w.id, value);
    contextCache.delete(w.id);
    contextCache.set(w.id, {
      version: w.updatedAt.getTime(),
      loadedAt,
      validUntil: changesAt.get(w.id)?.getTime() ?? Number.POSITIVE_INFINITY,
      value,
    });
  }
  for (const id of missing) if (!out.has(id)) out.set(id, GONE);
  while (contextCache.size > CONTEXT_CACHE_MAX) contextCache.delete(contextCache.keys().next().value!);
  return out;
}
