import "server-only";
import { NextResponse } from "next/server";
import { z } from "zod";
import { getDb } from "@/db/client";
import { actingAsApiKey } from "@/lib/audit";
import { kickDelivery } from "@/lib/delivery/kick";
import { intEnv } from "@/lib/env";
import { statusForCode, UserError } from "@/lib/errors";
import { readJsonBody } from "@/lib/http/body";
import { clientAddress } from "@/lib/http/client-ip";
import { isDatabaseUnavailable, jsonError, unavailable } from "@/lib/http/json";
import { TokenBucket } from "@/lib/rate-limit";
import { claimIdempotencyKey, completeIdempotency, IDEMPOTENCY_KEY_PATTERN, pruneIdempotencyKeys, requestFingerprint } from "./idempotency";
import { authenticateApiKey } from "./keys";
import type { AnyOperation, ApiResult } from "./operation";

/** Bodies of API writes are small JSON objects unless an operation says otherwise. */
const DEFAULT_MAX_BODY = 64 * 1024;

/** The one answer for a missing, malformed, unknown, revoked or expired key (which of them is not revealed). */
export function unauthenticated(): NextResponse {
  return jsonError(401, "unauthenticated", "Send a valid API key: Authorization: Bearer spk_… (the key may be unknown, revoked or expired).", undefined, {
    "www-authenticate": 'Bearer realm="signalpost"',
  });
}

const g = globalThis as unknown as { __signalpostApiBucket?: TokenBucket };

/** Per-key limit: API_RATE_LIMIT_PER_SECOND (default 20) refill, API_RATE_LIMIT_BURST (default 100) burst. */
function bucket(): TokenBucket {
  g.__signalpostApiBucket ??= new TokenBucket(intEnv("API_RATE_LIMIT_PER_SECOND", 20) || 20, intEnv("API_RATE_LIMIT_BURST", 100) || 100);
  return g.__signalpostApiBucket;
}

/** Forgets the rate-limit state (tests change the limits between cases). */
export function resetApiRateLimits(): void {
  g.__signalpostApiBucket = undefined;
}

function bearer(req: Request): string | null {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.get("authorization") ?? "");
  return m ? m[1] : null;
}

function withHeaders(res: Response, headers: Record<string, string>): Response {
  for (const [k, v] of Object.entries(headers)) res.headers.set(k, v);
  return res;
}

function toResponse(result: ApiResult): NextResponse {
  const headers = { "cache-control": "no-store", ...(result.headers ?? {}) };
  if (result.body === undefined) return new NextResponse(null, { status: result.status, headers });
  return NextResponse.json(result.body, { status: result.status, headers });
}

/** A zod error → 400 with each issue under its full path ("devices[3].udid"), so bulk rows are told apart. */
export function apiValidationError(error: z.ZodError): NextResponse {
  // no prototype: a field called "valueOf" or "__proto__" is just a key
  const fields: Record<string, string[]> = Object.create(null);
  for (const issue of error.issues) {
    const unknownKeys = issue.code === "unrecognized_keys" ? issue.keys : [];
    const base = issue.path.map((p, i) => (typeof p === "number" ? `[${p}]` : `${i === 0 ? "" : "."}${String(p)}`)).join("");
    const where = unknownKeys.length ? unknownKeys.map((k) => (base ? `${base}.${k}` : k)) : [base || "_"];
    for (const w of where) (fields[w] ??= []).push(issue.code === "unrecognized_keys" ? "Unknown field" : issue.message);
  }
  const first = error.issues[0];
  const at = Object.keys(fields)[0];
  return jsonError(400, "invalid_request", `${at && at !== "_" ? `${at}: ` : ""}${first?.code === "unrecognized_keys" ? "Unknown field" : (first?.message ?? "Invalid request")}`, fields);
}

/** Query string → object; a name given twice keeps the last value. */
function queryObject(url: URL): Record<string, string> {
  return Object.fromEntries(url.searchParams);
}

let prunedAt = 0;

/**
 * The Next route handler of an operation: API key → per-key rate limit → scope → path/query/body validation →
 * Idempotency-Key → the handler, run as the key (audit entries name it) and scoped to the key's org. Every refusal
 * has the one JSON error shape; nothing is changed by a refused request. `rename` maps the route folder's dynamic
 * segment names to the operation's (app/api/v1/devices/[udid] serves /devices/{id}).
 */
export function route(op: AnyOperation, rename: Record<string, string> = {}) {
  return async (req: Request, context: { params: Promise<Record<string, string | string[]>> }): Promise<Response> => {
    try {
      return await serve(op, rename, req, context);
    } catch (err) {
      if (isDatabaseUnavailable(err)) return unavailable();
      console.error(`[api] ${op.operationId} failed:`, err);
      return jsonError(500, "internal_error", "Something went wrong on our side; nothing was changed.");
    }
  };
}

async function serve(
  op: AnyOperation,
  rename: Record<string, string>,
  req: Request,
  context: { params: Promise<Record<string, string | string[]>> },
): Promise<Response> {
  const db = await getDb();
  const presented = bearer(req);
  if (!presented) return unauthenticated();
  const check = await authenticateApiKey(db, presented, clientAddress(req.headers));
  if (!check.ok) {
    if (check.deliveries > 0) void kickDelivery();
    return unauthenticated();
  }
  const key = check.key;

  const limit = bucket().takeWithState(`key:${key.id}`);
  const rateHeaders = {
    "ratelimit-limit": String(limit.limit),
    "ratelimit-remaining": String(limit.remaining),
    "ratelimit-reset": String(limit.resetSeconds),
  };
  if (limit.retryAfterSeconds > 0) {
    return jsonError(429, "rate_limited", `Too many requests with this API key; retry in ${limit.retryAfterSeconds} s.`, undefined, {
      ...rateHeaders,
      "retry-after": String(limit.retryAfterSeconds),
    });
  }
  const answer = (res: Response) => withHeaders(res, rateHeaders);

  if (op.scope === "write" && key.scope !== "write") {
    return answer(jsonError(403, "forbidden", "This API key is read-only; create a key with the write scope to make changes."));
  }

  // path parameters: one that does not parse names nothing that exists
  const rawParams = await context.params;
  const params: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(rawParams ?? {})) params[rename[name] ?? name] = value;
  const parsedParams = op.params ? op.params.safeParse(params) : { success: true as const, data: {} };
  if (!parsedParams.success) return answer(jsonError(404, "not_found", "No such object in this organization."));

  const url = new URL(req.url);
  const parsedQuery = (op.query ?? z.strictObject({})).safeParse(queryObject(url));
  if (!parsedQuery.success) return answer(apiValidationError(parsedQuery.error));

  let rawBody: unknown = undefined;
  let body: unknown = undefined;
  if (op.method !== "get" && op.method !== "delete") {
    const read = await readJsonBody(req, { maxBytes: op.maxBodyBytes ?? DEFAULT_MAX_BODY, emptyIsObject: !op.body });
    if (!read.ok) return answer(jsonError(read.problem.status, read.problem.code, read.problem.message));
    rawBody = read.value;
    const parsedBody = (op.body ?? z.strictObject({})).safeParse(read.value);
    if (!parsedBody.success) return answer(apiValidationError(parsedBody.error));
    body = parsedBody.data;
  }

  const run = async (): Promise<Response> => {
    try {
      const result = await actingAsApiKey(key.id, () =>
        op.handler({ db, orgId: key.orgId, key, req }, { params: parsedParams.data, query: parsedQuery.data, body }),
      );
      return toResponse(result);
    } catch (err) {
      if (err instanceof UserError) return jsonError(statusForCode(err.code), err.code, err.message, err.errors);
      throw err;
    }
  };

  const idemKey = op.method === "get" ? null : req.headers.get("idempotency-key");
  if (idemKey === null) return answer(await run());
  if (!IDEMPOTENCY_KEY_PATTERN.test(idemKey)) {
    return answer(jsonError(400, "invalid_request", "Idempotency-Key must be 1–255 visible ASCII characters."));
  }
  const claim = await claimIdempotencyKey(db, key.orgId, idemKey, requestFingerprint(op.method, url.pathname + url.search, rawBody));
  if (claim.kind === "mismatch") {
    return answer(jsonError(409, "idempotency_key_reused", "This Idempotency-Key was used for another request in the last 24 hours."));
  }
  if (claim.kind === "in_progress") {
    return answer(jsonError(409, "idempotency_key_in_use", "A request with this Idempotency-Key is still being processed; retry shortly."));
  }
  if (claim.kind === "replay") {
    const res = new NextResponse(claim.status === 204 ? null : claim.body, { status: claim.status, headers: claim.headers });
    return answer(withHeaders(res, { "idempotent-replayed": "true" }));
  }
  let res: Response;
  try {
    res = await run();
  } catch (err) {
    await completeIdempotency(db, claim.id, 500, "", {}).catch(() => undefined);
    throw err;
  }
  const text = res.status === 204 ? "" : await res.clone().text();
  const stored: Record<string, string> = {};
  res.headers.forEach((v, k) => {
    if (k === "content-type" || k === "cache-control") stored[k] = v;
  });
  await completeIdempotency(db, claim.id, res.status, text, stored);
  if (Date.now() - prunedAt > 60_000) {
    prunedAt = Date.now();
    void pruneIdempotencyKeys(db).catch(() => undefined);
  }
  return answer(res);
}
