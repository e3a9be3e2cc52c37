import "server-only";
import type { Db } from "@/db/client";
import { auditLog } from "@/db/schema";

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
