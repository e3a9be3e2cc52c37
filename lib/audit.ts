import "server-only";
import { AsyncLocalStorage } from "node:async_hooks";
import { count, desc, eq, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { apiKeys, auditLog, users } from "@/db/schema";

// The audit log: written in the transaction of each change (recordAudit), read by the audit page (listAuditEntries).

export type AuditEntry = {
  orgId: number;
  /** null when the system acted (e.g. the delivery engine disabled a webhook). */
  actorUserId: number | null;
  /** dotted verb, e.g. "member.added", "webhook.disabled" */
  action: string;
  targetType: string;
  targetId?: string | number | null;
  /** One human sentence shown on the audit page. */
  summary: string;
  details?: Record<string, unknown>;
};

/**
 * The API key a request of the public API acts with. The API runs each request inside `actingAsApiKey`, so every
 * audit entry the domain code writes during it names the key as the actor, whichever module writes it (devices,
 * webhooks, deliveries…), without each of them having to pass the key along.
 */
const apiKeyActor = new AsyncLocalStorage<{ apiKeyId: number }>();

export function actingAsApiKey<T>(apiKeyId: number, fn: () => Promise<T>): Promise<T> {
  return apiKeyActor.run({ apiKeyId }, fn);
}

/** Appends an audit entry; call inside the transaction that makes the change. */
export async function recordAudit(db: Db, entry: AuditEntry & { actorApiKeyId?: number | null }): Promise<void> {
  const apiKeyId = entry.actorApiKeyId !== undefined ? entry.actorApiKeyId : (apiKeyActor.getStore()?.apiKeyId ?? null);
  await db.insert(auditLog).values({
    orgId: entry.orgId,
    // a key acts for the org, not for a person: the key is the actor
    actorUserId: apiKeyId != null ? null : entry.actorUserId,
    actorApiKeyId: apiKeyId,
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId == null ? null : String(entry.targetId),
    summary: entry.summary,
    details: entry.details ?? null,
  });
}

/** Appends many audit entries in one statement (bulk operations); same rules as recordAudit. */
export async function recordAudits(db: Db, entries: readonly (AuditEntry & { actorApiKeyId?: number | null })[]): Promise<void> {
  if (entries.length === 0) return;
  const scoped = apiKeyActor.getStore()?.apiKeyId ?? null;
  const rows = entries.map((entry) => {
    const apiKeyId = entry.actorApiKeyId !== undefined ? entry.actorApiKeyId : scoped;
    return {
      org_id: entry.orgId,
      actor_user_id: apiKeyId != null ? null : entry.actorUserId,
      actor_api_key_id: apiKeyId,
      action: entry.action,
      target_type: entry.targetType,
      target_id: entry.targetId == null ? null : String(entry.targetId),
      summary: entry.summary,
      details: entry.details ?? null,
    };
  });
  // the rows as one JSON parameter: a 1,000-row VALUES list is slow to build and parse
  await db.execute(sql`insert into audit_log (org_id, actor_user_id, actor_api_key_id, action, target_type, target_id, summary, details)
    select (r->>'org_id')::int, (r->>'actor_user_id')::int, (r->>'actor_api_key_id')::int, r->>'action', r->>'target_type',
           r->>'target_id', r->>'summary', nullif(r->'details', 'null'::jsonb)
    from jsonb_array_elements(${JSON.stringify(rows)}::jsonb) as r`);
}

export const AUDIT_PAGE_SIZE = 25;

export type AuditRow = {
  id: number;
  action: string;
  summary: string;
  createdAt: Date;
  actorName: string | null;
  actorEmail: string | null;
  /** The API key that acted ("name (spk_abc123…)"), when the change came through the API. */
  actorApiKey: string | null;
  /** true when the system acted (no user, no API key) */
  system: boolean;
};

/** One page of the org's audit log, newest first. Pages are 1-based; out-of-range pages are clamped. */
export async function listAuditEntries(
  db: Db,
  orgId: number,
  page = 1,
  pageSize = AUDIT_PAGE_SIZE,
): Promise<{ entries: AuditRow[]; total: number; page: number; pageCount: number; pageSize: number }> {
  const [{ total }] = await db.select({ total: count() }).from(auditLog).where(eq(auditLog.orgId, orgId));
  const pageCount = Math.max(1, Math.ceil(Number(total) / pageSize));
  const current = Math.min(Math.max(1, Math.floor(page) || 1), pageCount);
  const rows = await db
    .select({
      id: auditLog.id,
      action: auditLog.action,
      summary: auditLog.summary,
      createdAt: auditLog.createdAt,
      actorUserId: auditLog.actorUserId,
      actorName: users.name,
      actorEmail: users.email,
      apiKeyId: auditLog.actorApiKeyId,
      apiKeyName: apiKeys.name,
      apiKeyPrefix: apiKeys.prefix,
    })
    .from(auditLog)
    .leftJoin(users, eq(users.id, auditLog.actorUserId))
    .leftJoin(apiKeys, eq(apiKeys.id, auditLog.actorApiKeyId))
    .where(eq(auditLog.orgId, orgId))
    .orderBy(desc(auditLog.createdAt), desc(auditLog.id))
    .limit(pageSize)
    .offset((current - 1) * pageSize);
  return {
    entries: rows.map(({ actorUserId, apiKeyId, apiKeyName, apiKeyPrefix, ...r }) => ({
      ...r,
      actorApiKey: apiKeyId != null ? `API key ${apiKeyName} (${apiKeyPrefix}…)` : null,
      system: actorUserId == null && apiKeyId == null,
    })),
    total: Number(total),
    page: current,
    pageCount,
    pageSize,
  };
}
