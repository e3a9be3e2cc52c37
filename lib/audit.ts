import "server-only";
import { count, desc, eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { auditLog, users } from "@/db/schema";

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

/** Appends an audit entry; call inside the transaction that makes the change. */
export async function recordAudit(db: Db, entry: AuditEntry): Promise<void> {
  await db.insert(auditLog).values({
    orgId: entry.orgId,
    actorUserId: entry.actorUserId,
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId == null ? null : String(entry.targetId),
    summary: entry.summary,
    details: entry.details ?? null,
  });
}

export const AUDIT_PAGE_SIZE = 25;

export type AuditRow = {
  id: number;
  action: string;
  summary: string;
  createdAt: Date;
  actorName: string | null;
  actorEmail: string | null;
  /** true when the system acted (no user) */
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
    })
    .from(auditLog)
    .leftJoin(users, eq(users.id, auditLog.actorUserId))
    .where(eq(auditLog.orgId, orgId))
    .orderBy(desc(auditLog.createdAt), desc(auditLog.id))
    .limit(pageSize)
    .offset((current - 1) * pageSize);
  return {
    entries: rows.map(({ actorUserId, ...r }) => ({ ...r, system: actorUserId == null })),
    total: Number(total),
    page: current,
    pageCount,
    pageSize,
  };
}
