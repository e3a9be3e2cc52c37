import "server-only";
import { getDb } from "@/db/client";
import { intEnv } from "@/lib/env";
import { clientAddress } from "@/lib/http/client-ip";
import { jsonError } from "@/lib/http/json";
import { TokenBucket } from "@/lib/rate-limit";
import { readBodyCapped } from "@/lib/http/body";
import { findInboxByToken, headersToRecord, storeCapturedRequest } from "./capture";
import { INBOX_MAX_BODY_BYTES } from "./constants";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const g = globalThis as unknown as { __signalpostInboxBucket?: TokenBucket };

/** Requests per client address to /api/inbox/* (INBOX_CAPTURES_PER_MINUTE, default 600, one bucket per process). */
function captureBucket(): TokenBucket {
  const perMinute = Math.max(1, intEnv("INBOX_CAPTURES_PER_MINUTE", 600));
  g.__signalpostInboxBucket ??= new TokenBucket(perMinute / 60, perMinute);
  return g.__signalpostInboxBucket;
}

/** Forgets the per-address capture limit (tests). */
export function resetInboxRateLimits(): void {
  g.__signalpostInboxBucket = undefined;
}

/**
 * Captures any request sent to /api/inbox/{token} (no session: the token is the secret). Unknown token → 404;
 * body over 256 KB → 413 and nothing stored; otherwise the request is stored and answered with the inbox's
 * configured status after its configured delay. One client address sending more than INBOX_CAPTURES_PER_MINUTE gets
 * 429 with Retry-After and nothing is stored.
 */
export async function captureInboxRequest(req: Request, token: string): Promise<Response> {
  const address = clientAddress(req.headers);
  const wait = address ? captureBucket().take(address) : 0;
  if (wait > 0) {
    return jsonError(429, "rate_limited", `Too many requests to inboxes from this address; retry in ${wait} s. Nothing was stored.`, undefined, {
      "retry-after": String(wait),
    });
  }
  const db = await getDb();
  const inbox = await findInboxByToken(db, token);
  if (!inbox) return jsonError(404, "not_found", "No inbox has this URL. It may have been deleted.");

  const read = await readBodyCapped(req, INBOX_MAX_BODY_BYTES);
  if (!read.ok) {
    return jsonError(413, "payload_too_large", `The body is larger than ${INBOX_MAX_BODY_BYTES / 1024} KB; nothing was stored.`);
  }
  const url = new URL(req.url);
  await storeCapturedRequest(db, inbox, {
    method: req.method.toUpperCase(),
    path: url.pathname,
    query: url.search.replace(/^\?/, ""),
    headers: headersToRecord(req.headers),
    bytes: read.bytes,
  });

  if (inbox.responseDelayMs > 0) await sleep(inbox.responseDelayMs);
  const headers = { "cache-control": "no-store", "content-type": "application/json" };
  const status = inbox.responseStatus;
  // HEAD and the null-body statuses carry no body
  if (req.method === "HEAD" || status === 204 || status === 205 || status === 304) return new Response(null, { status, headers });
  return new Response(JSON.stringify({ ok: true, inbox: inbox.name }), { status, headers });
}
