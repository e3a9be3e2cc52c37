import "server-only";
import type { Db } from "@/db/client";
import { INBOX_RETENTION } from "./constants";
import { getInboxSummary, selectInboxRequests, selectRequestBody } from "./service";
import type { InboxRequestView, InboxRequestsResponse, SignatureVerdict } from "./types";
import { loadOrgSigningSecrets, orgEventLookup, verifyCapturedRequest } from "./verify";

/** Body characters sent to the page per request; the full body is one click away (and always verified whole). */
export const BODY_EXCERPT_CHARS = 64 * 1024;

/**
 * Verdicts already computed, keyed by request id and the set of secrets they were computed against. A captured
 * request never changes, so the verdict only changes when the org's secrets do (rotation, expiry, a renamed or
 * deleted webhook) — and then the fingerprint changes. Keeps the page's 2-second polling from re-hashing bodies.
 */
const verdictCache = new Map<string, SignatureVerdict>();
const VERDICT_CACHE_MAX = 5_000;

function remember(key: string, verdict: SignatureVerdict) {
  if (verdictCache.size >= VERDICT_CACHE_MAX) {
    const oldest = verdictCache.keys().next().value;
    if (oldest !== undefined) verdictCache.delete(oldest);
  }
  verdictCache.set(key, verdict);
}

/**
 * An inbox's newest captured requests with their signature verdicts, verified on read so that newly rotated
 * secrets count. The org's secrets are decrypted once per call. Null when the org has no such inbox.
 */
export async function readInboxRequests(
  db: Db,
  orgId: number,
  inboxId: number,
  options: { limit?: number; now?: Date } = {},
): Promise<InboxRequestsResponse | null> {
  const inbox = await getInboxSummary(db, orgId, inboxId);
  if (!inbox) return null;
  const limit = Math.min(Math.max(options.limit ?? 50, 1), INBOX_RETENTION);
  const now = options.now ?? new Date();
  const rows = await selectInboxRequests(db, orgId, inboxId, limit, BODY_EXCERPT_CHARS);
  const anySigned = rows.some((r) => "webhook-id" in r.headers || "webhook-signature" in r.headers || "webhook-timestamp" in r.headers);
  const secrets = anySigned ? await loadOrgSigningSecrets(db, orgId, now) : { valid: [], expired: [], fingerprint: "" };
  const isOrgEvent = orgEventLookup(db, orgId);

  const requests: InboxRequestView[] = [];
  for (const r of rows) {
    const truncated = r.bodyChars > r.body.length;
    const key = `${orgId}:${inboxId}:${r.id}:${r.receivedAt.getTime()}:${r.size}:${r.headers["webhook-signature"] ?? ""}#${secrets.fingerprint}`;
    let signature = verdictCache.get(key);
    if (!signature) {
      const full = truncated ? await selectRequestBody(db, orgId, inboxId, r.id) : null;
      signature = await verifyCapturedRequest(
        { headers: r.headers, body: full?.body ?? r.body, bodyEncoding: r.bodyEncoding, receivedAt: r.receivedAt },
        secrets,
        isOrgEvent,
      );
      remember(key, signature);
    }
    requests.push({
      id: r.id,
      method: r.method,
      path: r.path,
      query: r.query,
      headers: r.headers,
      body: r.body,
      bodyEncoding: r.bodyEncoding,
      bodyTruncated: truncated,
      size: r.size,
      receivedAt: r.receivedAt.toISOString(),
      signature,
    });
  }
  return { inbox, requests, total: inbox.requestCount, retention: INBOX_RETENTION, serverTime: now.toISOString() };
}
