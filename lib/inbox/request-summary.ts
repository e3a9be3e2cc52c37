/** The one-line label of a captured inbox request (isomorphic, pure: unit-tested). */

import type { InboxRequestView } from "./types";

export type RequestSummary = {
  /** The Signalpost event type (`eventActivity`), when the body carries one. */
  eventType: string | null;
  /** The `webhook-id` header (the event id, the same on every retry), when present. */
  webhookId: string | null;
  /** Path and query with the inbox token shortened ("/api/inbox/a1b2c3…?source=x"): the fallback label. */
  target: string;
};

const MAX_PARSE = 64 * 1024;

function eventTypeOf(body: string, contentType: string | undefined, truncated: boolean): string | null {
  if (!body || truncated || body.length > MAX_PARSE) return null;
  const ct = (contentType ?? "").toLowerCase();
  let value: unknown = null;
  if (ct.includes("json") || /^\s*\{/.test(body)) {
    try {
      const parsed: unknown = JSON.parse(body);
      if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) {
        const o = parsed as Record<string, unknown>;
        value = o.eventActivity ?? o.type;
      }
    } catch {
      value = null;
    }
  } else if (ct.includes("x-www-form-urlencoded")) {
    value = new URLSearchParams(body).get("eventActivity");
  }
  // event types are short dotted names; anything else (a receiver's own JSON) is not shown as one
  return typeof value === "string" && /^[a-z][a-z0-9_.-]{0,99}$/i.test(value) ? value : null;
}

/**
 * What a captured request's row shows: the event type and webhook-id of a Signalpost delivery instead of the
 * token-bearing path (every path starts with the same long token); other requests fall back to the path and query
 * with the token cut to its first 6 characters.
 */
export function summarizeRequest(
  request: Pick<InboxRequestView, "path" | "query" | "headers" | "body" | "bodyEncoding" | "bodyTruncated">,
): RequestSummary {
  const full = request.query ? `${request.path}?${request.query}` : request.path;
  const target = full.replace(/^(\/api\/inbox\/)([0-9A-Za-z]{6})[0-9A-Za-z]+/, "$1$2…");
  const rawId = request.headers["webhook-id"];
  const webhookId = rawId && rawId.length <= 200 ? rawId : null;
  const eventType = request.bodyEncoding === "utf8" ? eventTypeOf(request.body, request.headers["content-type"], request.bodyTruncated) : null;
  return { eventType, webhookId, target };
}
