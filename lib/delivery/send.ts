import "server-only";
import type { LookupFunction } from "node:net";
import { STATUS_CODES } from "node:http";
import { Pool } from "undici";
import { intEnv } from "@/lib/env";
import { webhookTimeoutMs } from "./lease";
import type { BuiltRequest, SendResult } from "@/lib/webhooks/types";
import { TRANSPORT_HEADERS } from "@/lib/webhooks/http-rules";
import { checkWebhookUrl, type CheckOptions } from "@/lib/webhooks/url-guard";

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

function poolFor(origin: string, address: string, family: 4 | 6): Pool {
  const key = `${origin}|${address}`;
  const existing = pools.get(key);
  if (existing) {
    // refresh LRU position
    pools.delete(key);
    pools.set(key, existing);
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
    connect: { lookup, timeout: webhookTimeoutMs() },
    // our own AbortSignal enforces the overall budget; these are backstops
    headersTimeout: webhookTimeoutMs() + 1_000,
    bodyTimeout: webhookTimeoutMs() + 1_000,
  });
  pools.set(key, pool);
  if (pools.size > MAX_POOLS) {
    const [oldestKey, oldest] = pools.entries().next().value!;
    pools.delete(oldestKey);
    void oldest.close().catch(() => undefined);
  }
  return pool;
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

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(", ") : v;
  }
  return out;
}

/** Decodes the kept part of a response body without cutting a UTF-8 character in half. */
function decodeStored(chunks: Buffer[]): string {
  const buf = Buffer.concat(chunks).subarray(0, RESPONSE_STORE_LIMIT);
  // Postgres text cannot hold NUL characters
  return new TextDecoder("utf-8", { fatal: false }).decode(buf).replace(/\uFFFD$/, "").replace(/\u0000/g, "\uFFFD");
}

/**
 * Sends one built (and signed) webhook request: URL guard → connection pinned to the checked address → no
 * redirects → WEBHOOK_TIMEOUT_MS for connect + headers + body → body read up to 64 KB, 16 KB kept.
 * Never throws: failures come back as `error` in plain words.
 */
export async function sendHttpRequest(
  built: BuiltRequest,
  opts: { timeoutMs?: number; signal?: AbortSignal; guard?: CheckOptions } = {},
): Promise<SendResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const timeoutMs = opts.timeoutMs ?? webhookTimeoutMs();
  const fail = (error: string, errorCode: SendResult["errorCode"]): SendResult => ({
    ok: false,
    status: null,
    headers: {},
    body: "",
    durationMs: elapsed(),
    error,
    errorCode,
  });

  const checked = await checkWebhookUrl(built.url, opts.guard);
  if (!checked.ok) return fail(checked.error, checked.errorCode);

  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new Error("timeout"));
  }, timeoutMs);
  const onOuterAbort = () => controller.abort(opts.signal?.reason);
  opts.signal?.addEventListener("abort", onOuterAbort, { once: true });

  try {
    const url = checked.url;
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(built.headers)) {
      if (!TRANSPORT_HEADERS.has(k.toLowerCase())) headers[k] = v;
    }
    const pool = poolFor(url.origin, checked.address, checked.family);
    const response = await pool.request({
      path: `${url.pathname}${url.search}`,
      method: built.method,
      headers,
      body: built.body,
      signal: controller.signal,
    });

    const chunks: Buffer[] = [];
    let read = 0;
    for await (const chunk of response.body) {
      const buf = chunk as Buffer;
      if (read < RESPONSE_STORE_LIMIT) chunks.push(buf);
      read += buf.length;
      if (read >= RESPONSE_READ_LIMIT) break; // breaking out destroys the stream; the connection is not reused
    }
    const status = response.statusCode;
    const resHeaders = flattenHeaders(response.headers as Record<string, string | string[] | undefined>);
    const body = decodeStored(chunks);
    const ok = status >= 200 && status < 300;
    let error: string | null = null;
    if (status >= 300 && status < 400) {
      error = resHeaders.location
        ? `redirect not followed (Location: ${resHeaders.location.slice(0, 300)})`
        : `redirect not followed (HTTP ${status})`;
    } else if (!ok) {
      error = `receiver answered HTTP ${status}${STATUS_CODES[status] ? ` (${STATUS_CODES[status]})` : ""}`;
    }
    return { ok, status, headers: resHeaders, body, durationMs: elapsed(), error, errorCode: null, bytesRead: read };
  } catch (err) {
    if (opts.signal?.aborted && !timedOut) return fail("request cancelled", "network");
    const described = describeError(err, timedOut, timeoutMs);
    return fail(described.error!, described.errorCode);
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener("abort", onOuterAbort);
  }
}
