import "server-only";
import { and, asc, count, desc, eq, type SQL } from "drizzle-orm";
import type { Db } from "@/db/client";
import { emailAttempts, emailOutbox, type EmailStatus, type EmailTransport } from "@/db/schema";

/**
 * The Emails view (a small Mailpit-like log per org): owners and admins see every email of the org; other members
 * see only the emails addressed to them (`onlyTo`), since emails carry personal links.
 */

export const EMAIL_PAGE_SIZE = 25;

export type EmailListItem = {
  id: number;
  kind: string;
  to: string;
  subject: string;
  status: EmailStatus;
  transport: EmailTransport | null;
  attempts: number;
  lastError: string | null;
  createdAt: Date;
  sentAt: Date | null;
};

function scope(orgId: number, onlyTo: string | null): SQL {
  return onlyTo ? and(eq(emailOutbox.orgId, orgId), eq(emailOutbox.toAddress, onlyTo.toLowerCase()))! : eq(emailOutbox.orgId, orgId);
}

export async function listEmails(
  db: Db,
  orgId: number,
  opts: { onlyTo: string | null; page?: number; pageSize?: number },
): Promise<{ emails: EmailListItem[]; total: number; page: number; pageCount: number }> {
  const pageSize = opts.pageSize ?? EMAIL_PAGE_SIZE;
  const where = scope(orgId, opts.onlyTo);
  const [{ total }] = await db.select({ total: count() }).from(emailOutbox).where(where);
  const pageCount = Math.max(1, Math.ceil(Number(total) / pageSize));
  const page = Math.min(Math.max(1, Math.floor(opts.page ?? 1) || 1), pageCount);
  const emails = await db
    .select({
      id: emailOutbox.id,
      kind: emailOutbox.kind,
      to: emailOutbox.toAddress,
      subject: emailOutbox.subject,
      status: emailOutbox.status,
      transport: emailOutbox.transport,
      attempts: emailOutbox.attempts,
      lastError: emailOutbox.lastError,
      createdAt: emailOutbox.createdAt,
      sentAt: emailOutbox.sentAt,
    })
    .from(emailOutbox)
    .where(where)
    .orderBy(desc(emailOutbox.createdAt), desc(emailOutbox.id))
    .limit(pageSize)
    .offset((page - 1) * pageSize);
  return { emails, total: Number(total), page, pageCount };
}

export type EmailDetail = EmailListItem & {
  html: string;
  text: string;
  headers: Record<string, string>;
  nextAttemptAt: Date;
  attemptLog: { id: number; outcome: string; transport: string; responseCode: number | null; response: string | null; error: string | null; durationMs: number | null; attemptedAt: Date }[];
};

/** One email of the org (null when it is not the org's, or not the member's to read). */
export async function getEmail(db: Db, orgId: number, id: number, onlyTo: string | null): Promise<EmailDetail | null> {
  if (!Number.isSafeInteger(id) || id <= 0) return null;
  const [row] = await db.select().from(emailOutbox).where(and(scope(orgId, onlyTo), eq(emailOutbox.id, id)));
  if (!row) return null;
  const attemptLog = await db
    .select({
      id: emailAttempts.id,
      outcome: emailAttempts.outcome,
      transport: emailAttempts.transport,
      responseCode: emailAttempts.responseCode,
      response: emailAttempts.response,
      error: emailAttempts.error,
      durationMs: emailAttempts.durationMs,
      attemptedAt: emailAttempts.attemptedAt,
    })
    .from(emailAttempts)
    .where(eq(emailAttempts.emailId, row.id))
    .orderBy(asc(emailAttempts.attemptedAt), asc(emailAttempts.id));
  return {
    id: row.id,
    kind: row.kind,
    to: row.toAddress,
    subject: row.subject,
    status: row.status,
    transport: row.transport,
    attempts: row.attempts,
    lastError: row.lastError,
    createdAt: row.createdAt,
    sentAt: row.sentAt,
    html: row.html,
    text: row.text,
    headers: row.headers,
    nextAttemptAt: row.nextAttemptAt,
    attemptLog,
  };
}
