import "server-only";
import type { LookupFunction } from "node:net";
import { STATUS_CODES } from "node:http";
import { Pool } from "undici";
import { intEnv } from "@/lib/env";
import { exchange, ExchangeError } from "./exchange";
import { webhookTimeoutMs } from "./lease";
import type { BuiltRequest, SendResult } from "@/lib/webhooks/types";
import { TRANSPORT_HEADERS } from "@/lib/webhooks/http-rules";
import { checkWebhookUrl, type CheckOptions, type UrlCheck } from "@/lib/webhooks/url-guard";

/** Response bytes read from the socket at most; the rest is discarded. */
export const RESPONSE_READ_LIMIT = 64 * 1024;
/** Response bytes kept (stored in delivery_attempts.response_body). */
export const RESPONSE_STORE_LIMIT = 16 * 1024;

const MAX_POOLS = 256;


/**
 * Keep-alive connection pools, one per (origin, checked address), bounded in number (least recently used is
 * closed gracefully). Each pool's `connect.lookup` answers with the address the guard checked, so the socket goes
 * exactly there while Host and the TLS servername still carry the URL's host name.
 */
const pools = new Map<string, Pool>();
/** The key of the pool used last: the usual case (one busy receiver) skips the LRU refresh. */
let newestKey = "";

function poolFor(origin: string, address: string, family: 4 | 6, timeoutMs: number): Pool {
  const key = `${origin}|${address}`;
  const existing = pools.get(key);
  if (existing) {
    if (key !== newestKey) {
      // refresh LRU position
      pools.delete(key);
      pools.set(key, existing);
      newestKey = key;
    }
    return existing;
  }
  const lookup: LookupFunction = (_hostname, options, callback) => {
    if (options.all) (callback as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address, family }]);
    else callback(null, address, family);
  };
  const pool = new Pool(origin, {
    connections: intEnv("WEBHOOK_POOL_CONNECTIONS", 32) || 32,
    pipelining: 1,
    keepAliveTimeout: 4_000,
    keepAliveMaxTimeout: 30_000,
    connect: { lookup, timeout: timeoutMs },
    // each request sets its own headers/body timeouts (backstops), and its deadline (exchange.ts) bounds it whole
    headersTimeout: timeoutMs + 1_000,
    bodyTimeout: timeoutMs + 1_000,
  });
  pools.set(key, pool);
  newestKey = key;
  if (pools.size > MAX_POOLS) {
    const [oldestKey, oldest] = pools.entries().next().value!;
    pools.delete(oldestKey);
    void oldest.close().catch(() => undefined);
  }
  return pool;
}

/**
 * Where a URL's requests go: its guard check, and (when it passed) the pool and request path. Computed once per
 * URL by whoever holds a `targets` map (a delivery pass: once per pass, see sendHttpRequest), else per request.
 */
export type SendTarget = { checked: UrlCheck; pool: Pool | null; path: string };
export type SendTargets = Map<string, Promise<SendTarget>>;

async function resolveTarget(rawUrl: string, guard: CheckOptions | undefined, timeoutMs: number): Promise<SendTarget> {
  const checked = await checkWebhookUrl(rawUrl, guard);
  if (!checked.ok) return { checked, pool: null, path: "" };
  const url = checked.url;
  return { checked, pool: poolFor(url.origin, checked.address, checked.family, timeoutMs), path: `${url.pathname}${url.search}` };
}

/** Closes every pooled connection (worker shutdown, tests). */
export async function closeSendPools(): Promise<void> {
  const all = [...pools.values()];
  pools.clear();
  await Promise.all(all.map((p) => p.close().catch(() => undefined)));
}

function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}

/** A transport error in plain words, with its category. */
function describeError(err: unknown, timedOut: boolean, timeoutMs: number): Pick<SendResult, "error" | "errorCode"> {
  if (timedOut) return { error: `timed out after ${formatSeconds(timeoutMs)}`, errorCode: "timeout" };
  const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e?.code ?? e?.cause?.code;
  switch (code) {
    case "ECONNREFUSED":
      return { error: "connection refused", errorCode: "refused" };
    case "ECONNRESET":
    case "UND_ERR_SOCKET":
      return { error: "connection closed by the receiver before a complete response", errorCode: "network" };
    case "ETIMEDOUT":
    case "UND_ERR_CONNECT_TIMEOUT":
    case "UND_ERR_HEADERS_TIMEOUT":
    case "UND_ERR_BODY_TIMEOUT":
      return { error: `timed out after ${formatSeconds(timeoutMs)}`, errorCode: "timeout" };
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return { error: "host unreachable", errorCode: "network" };
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return { error: "could not resolve host", errorCode: "dns" };
    case "EPROTO":
    case "ERR_SSL_WRONG_VERSION_NUMBER":
      return { error: "TLS handshake failed (is the port serving HTTPS?)", errorCode: "network" };
    case "CERT_HAS_EXPIRED":
      return { error: "TLS certificate has expired", errorCode: "network" };
    case "DEPTH_ZERO_SELF_SIGNED_CERT":
    case "SELF_SIGNED_CERT_IN_CHAIN":
      return { error: "TLS certificate is self-signed", errorCode: "network" };
    case "ERR_TLS_CERT_ALTNAME_INVALID":
      return { error: "TLS certificate does not match the host name", errorCode: "network" };
    case "UNABLE_TO_VERIFY_LEAF_SIGNATURE":
    case "UNABLE_TO_GET_ISSUER_CERT_LOCALLY":
      return { error: "TLS certificate could not be verified", errorCode: "network" };
  }
  const message = e?.cause?.message ?? e?.message ?? String(err);
  return { error: `request failed: ${message}`, errorCode: "network" };
}

/** Decodes the kept part of a response body without cutting a UTF-8 character in half. */
function decodeStored(chunks: Buffer[]): string {
  if (chunks.length === 0) return "";
  const buf = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
  const kept = Math.min(buf.length, RESPONSE_STORE_LIMIT);
  // invalid bytes become U+FFFD; a character cut by the limit is dropped
  let text = buf.toString("utf8", 0, kept);
  if (kept < buf.length && text.endsWith("\uFFFD")) text = text.slice(0, -1);
  // Postgres text cannot hold NUL characters
  const nul = buf.indexOf(0);
  return nul === -1 || nul >= kept ? text : text.replace(/\u0000/g, "\uFFFD");
}

/** The request's headers as sent: the client's own (Host, Content-Length …) left out. Copied only when needed. */
function sendableHeaders(headers: Record<string, string>): Record<string, string> {
  let clean = true;
  for (const k in headers) {
    if (TRANSPORT_HEADERS.has(k.toLowerCase())) {
      clean = false;
      break;
    }
  }
  if (clean) return headers;
  const out: Record<string, string> = {};
  for (const k in headers) if (!TRANSPORT_HEADERS.has(k.toLowerCase())) out[k] = headers[k];
  return out;
}

export type SendOptions = {
  /** Defaults to WEBHOOK_TIMEOUT_MS (read per call: a pass reads it once and passes it). */
  timeoutMs?: number;
  /** Cancels the request (reported as "request cancelled"). */
  signal?: AbortSignal;
  guard?: CheckOptions;
  /**
   * URL → guard check and pool, shared by the requests of a pass: a webhook's URL is checked (and its host
   * resolved) once per pass instead of per delivery. Whoever holds it must drop it within seconds (a pass lasts its
   * budget), so a URL that starts resolving to a private address is refused at the next pass.
   */
  targets?: SendTargets;
};

function failure(started: number, error: string, errorCode: SendResult["errorCode"]): SendResult {
  return { ok: false, status: null, headers: {}, body: "", durationMs: Math.round(performance.now() - started), error, errorCode };
}

/**
 * Sends one built (and signed) webhook request: URL guard → connection pinned to the checked address → no
 * redirects → WEBHOOK_TIMEOUT_MS for connect + headers + body → body read up to 64 KB, 16 KB kept.
 * Never throws: failures come back as `error` in plain words.
 */
export async function sendHttpRequest(built: BuiltRequest, opts: SendOptions = {}): Promise<SendResult> {
  const started = performance.now();
  const timeoutMs = opts.timeoutMs ?? webhookTimeoutMs();

  let target: SendTarget;
  if (opts.targets) {
    let pending = opts.targets.get(built.url);
    if (!pending) opts.targets.set(built.url, (pending = resolveTarget(built.url, opts.guard, timeoutMs)));
    target = await pending;
    // a pool closed meanwhile (least recently used of more than MAX_POOLS origins) is replaced
    if (target.pool && (target.pool.closed || target.pool.destroyed) && target.checked.ok) {
      const { url, address, family } = target.checked;
      target.pool = poolFor(url.origin, address, family, timeoutMs);
    }
  } else {
    target = await resolveTarget(built.url, opts.guard, timeoutMs);
  }
  const { checked, pool } = target;
  if (!checked.ok) return failure(started, checked.error, checked.errorCode);

  try {
    const response = await exchange(
      pool!,
      { path: target.path, method: built.method, headers: sendableHeaders(built.headers), body: built.body },
      { timeoutMs, keepBytes: RESPONSE_STORE_LIMIT, readLimit: RESPONSE_READ_LIMIT, signal: opts.signal },
    );
    const status = response.status;
    const resHeaders = response.headers;
    const body = decodeStored(response.chunks);
    const ok = status >= 200 && status < 300;
    let error: string | null = null;
    if (status >= 300 && status < 400) {
      error = resHeaders.location
        ? `redirect not followed (Location: ${resHeaders.location.slice(0, 300)})`
        : `redirect not followed (HTTP ${status})`;
    } else if (!ok) {
      error = `receiver answered HTTP ${status}${STATUS_CODES[status] ? ` (${STATUS_CODES[status]})` : ""}`;
    }
    return { ok, status, headers: resHeaders, body, durationMs: Math.round(performance.now() - started), error, errorCode: null, bytesRead: response.bytesRead };
  } catch (err) {
    const kind = err instanceof ExchangeError ? err.kind : "transport";
    if (kind === "cancelled") return failure(started, "request cancelled", "network");
    const described = describeError(err instanceof ExchangeError ? err.cause : err, kind === "timeout", timeoutMs);
    return failure(started, described.error!, described.errorCode);
  }
}
