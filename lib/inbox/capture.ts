import "server-only";
import { eq, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { inboxes, inboxRequests } from "@/db/schema";
import { INBOX_RETENTION } from "./constants";

export type CaptureInbox = Pick<typeof inboxes.$inferSelect, "id" | "orgId" | "name" | "responseStatus" | "responseDelayMs">;

/** The inbox a capture URL's token names, or null (unknown tokens get 404). */
export async function findInboxByToken(db: Db, token: string): Promise<CaptureInbox | null> {
  // tokens are randomBase62(32); anything else cannot be one, so skip the query
  if (!/^[0-9A-Za-z]{16,64}$/.test(token)) return null;
  const [row] = await db
    .select({
      id: inboxes.id,
      orgId: inboxes.orgId,
      name: inboxes.name,
      responseStatus: inboxes.responseStatus,
      responseDelayMs: inboxes.responseDelayMs,
    })
    .from(inboxes)
    .where(eq(inboxes.token, token))
    .limit(1);
  return row ?? null;
}

/** Text when the bytes are valid UTF-8 without NUL (kept as sent; a text column cannot hold NUL), otherwise base64. */
export function encodeBody(bytes: Uint8Array): { body: string; encoding: "utf8" | "base64" } {
  try {
    const text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
    if (!text.includes("\u0000")) return { body: text, encoding: "utf8" };
  } catch {
    // not UTF-8: stored as base64 below
  }
  return { body: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64"), encoding: "base64" };
}

export type CapturedRequest = {
  method: string;
  path: string;
  query: string;
  headers: Record<string, string>;
  bytes: Uint8Array;
};

/** Headers that carry credentials: stored masked (README, "Reliability and security"). */
const CREDENTIAL_HEADERS = new Set(["authorization", "proxy-authorization", "cookie"]);
const MASK = "••••";

/** A secret shown as its last 4 characters after a mask; short ones (which 4 characters would all but reveal) fully masked. */
function maskSecret(secret: string): string {
  return secret.length >= 12 ? `${MASK}${secret.slice(-4)}` : MASK;
}

/**
 * The stored form of a credential header: Authorization keeps its scheme ("Bearer ••••9f3a"), Cookie its cookie
 * names ("session=••••a1b2; theme=••••"). Everything else is kept as received.
 */
export function maskCredentialHeader(name: string, value: string): string {
  const lower = name.toLowerCase();
  if (!CREDENTIAL_HEADERS.has(lower)) return value;
  if (lower === "cookie") {
    return value
      .split(";")
      .map((pair) => {
        const trimmed = pair.trim();
        const eq = trimmed.indexOf("=");
        return eq < 0 ? maskSecret(trimmed) : `${trimmed.slice(0, eq)}=${maskSecret(trimmed.slice(eq + 1))}`;
      })
      .join("; ");
  }
  const match = /^(\S+)\s+(.+)$/.exec(value.trim());
  return match ? `${match[1]} ${maskSecret(match[2])}` : maskSecret(value.trim());
}

/**
 * Header names lower-cased (Headers already does), values as received (repeated headers joined with ", "), except
 * credentials (Authorization, Proxy-Authorization, Cookie), which are masked before they are stored.
 */
export function headersToRecord(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    out[name.toLowerCase()] = maskCredentialHeader(name, value);
  });
  return out;
}

/**
 * Stores one captured request and prunes the inbox to its newest INBOX_RETENTION requests, in one transaction.
 * The prune walks the (inbox_id, received_at desc) index to the 500th row, so it costs the same at any size.
 */
export async function storeCapturedRequest(db: Db, inbox: CaptureInbox, req: CapturedRequest): Promise<number> {
  const { body, encoding } = encodeBody(req.bytes);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(inboxRequests)
      .values({
        orgId: inbox.orgId,
        inboxId: inbox.id,
        method: req.method,
        path: req.path,
        query: req.query,
        headers: req.headers,
        body,
        bodyEncoding: encoding,
        size: req.bytes.byteLength,
        receivedAt: sql`clock_timestamp()`,
      })
      .returning({ id: inboxRequests.id });
    await pruneInbox(tx, inbox.id);
    return row.id;
  });
}

/** Deletes all but the newest INBOX_RETENTION requests of an inbox. */
export async function pruneInbox(db: Db, inboxId: number, keep: number = INBOX_RETENTION): Promise<void> {
  await db.execute(sql`
    delete from inbox_requests
    where inbox_id = ${inboxId}
      and (received_at, id) < (
        select received_at, id from inbox_requests
        where inbox_id = ${inboxId}
        order by received_at desc, id desc
        offset ${keep - 1} limit 1
      )`);
}
