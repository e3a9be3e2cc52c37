import "server-only";
import { and, count, desc, eq, sql } from "drizzle-orm";
import { queryRows, type Db } from "@/db/client";
import { inboxes, inboxRequests } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { randomBase62 } from "@/lib/ids";
import type { InboxSummary } from "./types";
import type { Actor } from "@/lib/actor";

export type InboxRow = typeof inboxes.$inferSelect;

/** Inserts an inbox with a fresh unguessable token (32 base62 characters, about 190 bits). */
export async function createInboxRow(
  db: Db,
  input: { orgId: number; name: string; responseStatus: number; responseDelayMs: number },
): Promise<InboxRow> {
  const [row] = await db
    .insert(inboxes)
    .values({ ...input, token: randomBase62(32) })
    .returning();
  return row;
}

type SummaryRow = {
  id: number;
  name: string;
  token: string;
  response_status: number;
  response_delay_ms: number;
  created_at: string | Date;
  request_count: number | string;
  last_request_at: string | Date | null;
};

const toIso = (v: string | Date | null) => (v === null ? null : new Date(v).toISOString());

function toSummary(r: SummaryRow): InboxSummary {
  return {
    id: r.id,
    name: r.name,
    token: r.token,
    responseStatus: r.response_status,
    responseDelayMs: r.response_delay_ms,
    requestCount: Number(r.request_count),
    lastRequestAt: toIso(r.last_request_at),
    createdAt: toIso(r.created_at)!,
  };
}

/** The org's inboxes with request counts (at most INBOX_RETENTION each, so counting is cheap), oldest first. */
export async function listInboxes(db: Db, orgId: number, inboxId?: number): Promise<InboxSummary[]> {
  const rows = await queryRows<SummaryRow>(
    db,
    sql`
      select i.id, i.name, i.token, i.response_status, i.response_delay_ms, i.created_at,
             (select count(*) from inbox_requests r where r.inbox_id = i.id) as request_count,
             (select max(r.received_at) from inbox_requests r where r.inbox_id = i.id) as last_request_at
      from inboxes i
      where i.org_id = ${orgId} ${inboxId === undefined ? sql`` : sql`and i.id = ${inboxId}`}
      order by i.created_at, i.id`,
  );
  return rows.map(toSummary);
}

/** One inbox of the org, or null (another org's inbox is null too). */
export async function getInboxSummary(db: Db, orgId: number, inboxId: number): Promise<InboxSummary | null> {
  const [row] = await listInboxes(db, orgId, inboxId);
  return row ?? null;
}

/** How many inboxes the org has. */
export async function countInboxes(db: Db, orgId: number): Promise<number> {
  const [row] = await db.select({ n: count() }).from(inboxes).where(eq(inboxes.orgId, orgId));
  return Number(row?.n ?? 0);
}


/** Creates an inbox and records it in the audit log. */
export async function createInbox(
  db: Db,
  actor: Actor,
  input: { name: string; responseStatus: number; responseDelayMs: number },
): Promise<InboxRow> {
  return db.transaction(async (tx) => {
    const row = await createInboxRow(tx, { orgId: actor.orgId, ...input });
    await recordAudit(tx, {
      orgId: actor.orgId,
      actorUserId: actor.userId,
      action: "inbox.created",
      targetType: "inbox",
      targetId: row.id,
      summary: `Created inbox "${row.name}"`,
      details: { responseStatus: row.responseStatus, responseDelayMs: row.responseDelayMs },
    });
    return row;
  });
}

/** Changes an inbox's name and response (status, delay). Null when the org has no such inbox. */
export async function updateInbox(
  db: Db,
  actor: Actor,
  inboxId: number,
  input: { name: string; responseStatus: number; responseDelayMs: number },
): Promise<InboxRow | null> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(inboxes)
      .set(input)
      .where(and(eq(inboxes.id, inboxId), eq(inboxes.orgId, actor.orgId)))
      .returning();
    if (!row) return null;
    await recordAudit(tx, {
      orgId: actor.orgId,
      actorUserId: actor.userId,
      action: "inbox.updated",
      targetType: "inbox",
      targetId: row.id,
      summary: `Inbox "${row.name}" now answers ${row.responseStatus} after ${row.responseDelayMs / 1000} s`,
      details: input,
    });
    return row;
  });
}

/** Deletes every captured request of an inbox. Returns how many, or null when the org has no such inbox. */
export async function clearInbox(db: Db, actor: Actor, inboxId: number): Promise<number | null> {
  return db.transaction(async (tx) => {
    const [inbox] = await tx
      .select({ id: inboxes.id, name: inboxes.name })
      .from(inboxes)
      .where(and(eq(inboxes.id, inboxId), eq(inboxes.orgId, actor.orgId)))
      .limit(1);
    if (!inbox) return null;
    const deleted = await tx
      .delete(inboxRequests)
      .where(and(eq(inboxRequests.inboxId, inbox.id), eq(inboxRequests.orgId, actor.orgId)))
      .returning({ id: inboxRequests.id });
    await recordAudit(tx, {
      orgId: actor.orgId,
      actorUserId: actor.userId,
      action: "inbox.cleared",
      targetType: "inbox",
      targetId: inbox.id,
      summary: `Cleared inbox "${inbox.name}" (${deleted.length} request${deleted.length === 1 ? "" : "s"})`,
    });
    return deleted.length;
  });
}

/** Deletes an inbox and its requests; its URL answers 404 from then on. False when the org has no such inbox. */
export async function deleteInbox(db: Db, actor: Actor, inboxId: number): Promise<boolean> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .delete(inboxes)
      .where(and(eq(inboxes.id, inboxId), eq(inboxes.orgId, actor.orgId)))
      .returning({ id: inboxes.id, name: inboxes.name });
    if (!row) return false;
    await recordAudit(tx, {
      orgId: actor.orgId,
      actorUserId: actor.userId,
      action: "inbox.deleted",
      targetType: "inbox",
      targetId: row.id,
      summary: `Deleted inbox "${row.name}"`,
    });
    return true;
  });
}

/** Newest-first captured requests of an inbox (org-scoped), without verdicts; bodies cut to `excerptChars`. */
export async function selectInboxRequests(db: Db, orgId: number, inboxId: number, limit: number, excerptChars: number) {
  return db
    .select({
      id: inboxRequests.id,
      method: inboxRequests.method,
      path: inboxRequests.path,
      query: inboxRequests.query,
      headers: inboxRequests.headers,
      body: sql<string>`left(${inboxRequests.body}, ${excerptChars})`,
      bodyChars: sql<number>`length(${inboxRequests.body})`.mapWith(Number),
      bodyEncoding: inboxRequests.bodyEncoding,
      size: inboxRequests.size,
      receivedAt: inboxRequests.receivedAt,
    })
    .from(inboxRequests)
    .where(and(eq(inboxRequests.inboxId, inboxId), eq(inboxRequests.orgId, orgId)))
    .orderBy(desc(inboxRequests.receivedAt), desc(inboxRequests.id))
    .limit(limit);
}

/** The full stored body of one captured request (org-scoped), or null. */
export async function selectRequestBody(
  db: Db,
  orgId: number,
  inboxId: number,
  requestId: number,
): Promise<{ body: string; bodyEncoding: "utf8" | "base64"; contentType: string | undefined } | null> {
  const [row] = await db
    .select({ body: inboxRequests.body, bodyEncoding: inboxRequests.bodyEncoding, headers: inboxRequests.headers })
    .from(inboxRequests)
    .where(and(eq(inboxRequests.id, requestId), eq(inboxRequests.inboxId, inboxId), eq(inboxRequests.orgId, orgId)))
    .limit(1);
  return row ? { body: row.body, bodyEncoding: row.bodyEncoding, contentType: row.headers["content-type"] } : null;
}
