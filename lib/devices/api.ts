import "server-only";
import { NextResponse } from "next/server";
import type { z } from "zod";
import { getDb } from "@/db/client";
import { intEnv } from "@/lib/env";
import { clientAddress } from "@/lib/http/client-ip";
import { BodyCutOff, parseJsonBody, readBodyCapped, type BodyRead } from "@/lib/http/body";
import { errorBody, isDatabaseUnavailable, jsonError, unavailable, UNAVAILABLE, validationProblem, type ErrorFields } from "@/lib/http/json";
import { TokenBucket } from "@/lib/rate-limit";
import { kickDelivery, kickLease, kickLeased } from "@/lib/delivery/kick";
import { sql } from "drizzle-orm";
import { queryRows } from "@/db/client";
import { UserError } from "@/lib/errors";
import { recordStatusRequest } from "@/lib/metrics";
import { signalsReportSchema, statusReportSchema, udidSchema } from "@/lib/validation/devices";
import { recordAuthenticationFailure, recordDeviceContact, type ContactInput, type ContactResult } from "./contact";
import { DEVICE_TOKEN_PATTERN, deviceTokenRef, hashDeviceToken } from "./tokens";

/** Largest request body the device API reads. */
export const MAX_DEVICE_BODY_BYTES = 16 * 1024;

const g = globalThis as unknown as { __signalpostDeviceBucket?: TokenBucket; __signalpostDeviceFailures?: TokenBucket };

/** The per-device token bucket (DEVICE_RATE_PER_SECOND refill, DEVICE_RATE_BURST capacity), one per process. */
function deviceBucket(): TokenBucket {
  g.__signalpostDeviceBucket ??= new TokenBucket(intEnv("DEVICE_RATE_PER_SECOND", 10), intEnv("DEVICE_RATE_BURST", 20));
  return g.__signalpostDeviceBucket;
}

/**
 * Failed device-token attempts per client address (DEVICE_AUTH_FAILURES_PER_MINUTE, default 20, as a bucket of that
 * size refilling over a minute), one per process. An address over it gets 429 before any token is looked at.
 */
function failureBucket(): TokenBucket {
  const perMinute = Math.max(1, intEnv("DEVICE_AUTH_FAILURES_PER_MINUTE", 20));
  g.__signalpostDeviceFailures ??= new TokenBucket(perMinute / 60, perMinute);
  return g.__signalpostDeviceFailures;
}

/** Forgets rate-limit state (tests). */
export function resetDeviceRateLimits(): void {
  g.__signalpostDeviceBucket = undefined;
  g.__signalpostDeviceFailures = undefined;
}

const UNAUTHORIZED_MESSAGE = "Missing or invalid device token for this device.";


/**
 * A device report, whichever server received it: the Next route handler (`handleDeviceRequest`) or the production
 * server's fast path for the device routes (`lib/devices/fast-path.ts`), which skips the framework's per-request
 * work on the busiest route.
 */
export type DeviceCall = {
  /** The udid path segment as it arrived (still percent-encoded). */
  udid: string;
  /** The request's headers (by lower-case name); X-Forwarded-For holds the peer's address when the client sent none. */
  headers: Pick<Headers, "get">;
  /** The body, read up to `cap` bytes and refused past it (the rest unread). */
  body(cap: number): Promise<BodyRead>;
};

/** The answer to a device call: a status, a JSON body and extra headers. */
export type DeviceAnswer = { status: number; body: unknown; headers?: Record<string, string> };

/** What a report route accepts and what of it becomes the contact. */
export type DeviceReport<S extends z.ZodType = z.ZodType> = {
  schema: S;
  toContact: (body: z.infer<S>) => Pick<ContactInput, "report" | "signals" | "ack">;
};

/** POST /api/v1/devices/{udid}/status: status, firmware, optional signals and an ack of the desired state. */
export const STATUS_REPORT: DeviceReport<typeof statusReportSchema> = {
  schema: statusReportSchema,
  toContact: (body) => ({
    report: { status: body.status, firmwareVersion: body.firmwareVersion },
    ack: body.reported,
    signals: body.signals && Object.keys(body.signals).length ? body.signals : undefined,
  }),
};

/** POST /api/v1/devices/{udid}/signals: telemetry, stored and emitted as one device.telemetry event. */
export const SIGNALS_REPORT: DeviceReport<typeof signalsReportSchema> = {
  schema: signalsReportSchema,
  toContact: (body) => ({ report: {}, signals: body.signals }),
};

const problem = (status: number, code: string, message: string, fields?: ErrorFields, headers?: Record<string, string>): DeviceAnswer => ({
  status,
  body: errorBody(code, message, fields),
  headers,
});

const refused = (): DeviceAnswer => problem(401, "unauthorized", UNAUTHORIZED_MESSAGE, undefined, { "www-authenticate": 'Bearer realm="signalpost-devices"' });

/** The per-device rate limit's refusal (reports and desired-state reads share the bucket). */
const tooFrequent = (wait: number): DeviceAnswer =>
  problem(429, "rate_limited", `Too many requests for this device; retry in ${wait} s.`, undefined, { "retry-after": String(wait) });

/** A DeviceAnswer as the Next route handlers' Response. */
const respond = (answer: DeviceAnswer): Response => NextResponse.json(answer.body, { status: answer.status, headers: answer.headers });

/** The Next route handler's side of a device report: the web Request as a DeviceCall, the answer as a Response. */
export async function handleDeviceRequest<S extends z.ZodType>(req: Request, params: Promise<{ udid: string }>, report: DeviceReport<S>): Promise<Response> {
  const { udid } = await params;
  return respond(await answerDeviceReport({ udid, headers: req.headers, body: (cap) => readBodyCapped(req, cap) }, report));
}

/**
 * A device report, from any server: size, auth header, content type, per-device rate limit, JSON body and schema,
 * then the contact (which authenticates the token against the udid inside its transaction). Every refusal uses
 * the one JSON error shape; an unreachable database answers 503 with Retry-After. Recorded in the status API's
 * metrics.
 */
export async function answerDeviceReport<S extends z.ZodType>(call: DeviceCall, report: DeviceReport<S>): Promise<DeviceAnswer> {
  const started = performance.now();
  const answer = await deviceReport(call, report);
  recordStatusRequest(answer.status, performance.now() - started);
  return answer;
}

async function deviceReport<S extends z.ZodType>(call: DeviceCall, { schema, toContact }: DeviceReport<S>): Promise<DeviceAnswer> {
  try {
    const udid = safeDecode(call.udid);

    const declared = call.headers.get("content-length");
    if (declared !== null && Number(declared) > MAX_DEVICE_BODY_BYTES) return tooLarge();

    // an address that keeps sending wrong tokens is slowed down before any token is checked (no address known,
    // e.g. not behind `next start` or a proxy: not limited by address)
    const address = clientAddress(call.headers);
    const blocked = address ? failureBucket().peek(address) : 0;
    if (blocked > 0) {
      return problem(429, "rate_limited", `Too many failed device authentications from this address; retry in ${blocked} s.`, undefined, {
        "retry-after": String(blocked),
      });
    }
    const failed = () => {
      if (address) failureBucket().take(address);
      return refused();
    };

    const token = bearerToken(call.headers.get("authorization"));
    const udidOk = udidSchema.safeParse(udid).success;
    // A missing or malformed token ties the request to no device: refused, and no event anywhere.
    if (!token || !udidOk || !DEVICE_TOKEN_PATTERN.test(token)) return failed();
    const tokenHash = hashDeviceToken(token);
    // One token belongs to one device, so a bucket per (udid, token) is a bucket per device, checked before any
    // database work.
    const wait = deviceBucket().take(`${udid}\u0000${tokenHash}`);
    if (wait > 0) return tooFrequent(wait);

    const read = parseJsonBody(await call.body(MAX_DEVICE_BODY_BYTES), call.headers.get("content-type"), {
      maxBytes: MAX_DEVICE_BODY_BYTES,
      emptyIsObject: true,
    });
    if (!read.ok) return problem(read.problem.status, read.problem.code, read.problem.message);
    const body = schema.safeParse(read.value);
    if (!body.success) {
      const { message, fields } = validationProblem(body.error);
      return problem(400, "invalid_request", message, fields);
    }

    const db = await getDb();
    const leaseUntil = kickLease();
    const result = await recordDeviceContact(db, { udid, tokenHash, ...toContact(body.data), ip: address, leaseUntil });
    if (!result) {
      await noteFailure(udid, token, tokenHash, address);
      return failed();
    }
    if (result.leased.length > 0) kickLeased(result.leased, leaseUntil!);
    else if (result.outboxIds.length > 0) kickDelivery(result.outboxIds);
    return { status: 200, body: contactReply(result) };
  } catch (err) {
    // an ack of a version never written: refused as a whole, nothing recorded
    if (err instanceof UserError) return problem(400, "invalid_request", err.message, err.errors);
    if (err instanceof BodyCutOff) return problem(400, "invalid_request", err.message);
    if (isDatabaseUnavailable(err)) return UNAVAILABLE;
    console.error("[device-api] unexpected error:", err);
    return problem(500, "internal_error", "Something went wrong on our side; nothing was recorded.");
  }
}

/** The answer to a status/signals report; `desired` only when the device is behind its desired state. */
function contactReply(r: ContactResult) {
  const reply = { udid: r.udid, status: r.status, lastSeenAt: r.lastSeenAt.toISOString(), changed: r.changed, events: r.events };
  return r.desired ? { ...reply, desired: r.desired } : reply;
}

/** The ETag of a desired version: the version changes on every write of the config or the target firmware. */
export const desiredEtag = (version: number) => `"desired-${version}"`;

function etagMatches(header: string | null, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === "*") return true;
  return header.split(",").some((t) => t.trim().replace(/^W\//, "") === etag);
}

/**
 * GET /api/v1/devices/{udid}/desired with the device token: the desired `{ version, config, firmwareVersion }`
 * (version 0 and `{}` when nothing was written), with an ETag on the version; `If-None-Match` with the current
 * one answers 304 without a body. A read: it does not count as contact (last seen is the status API's).
 */
export async function handleDesiredRequest(req: Request, params: Promise<{ udid: string }>): Promise<Response> {
  try {
    const udid = safeDecode((await params).udid);
    const token = bearerToken(req.headers.get("authorization"));
    const udidOk = udidSchema.safeParse(udid).success;
    // A missing or malformed token ties the request to no device: refused, and no event anywhere.
    if (!token || !udidOk || !DEVICE_TOKEN_PATTERN.test(token)) return respond(refused());
    const tokenHash = hashDeviceToken(token);
    const wait = deviceBucket().take(`${udid}\u0000${tokenHash}`);
    if (wait > 0) return respond(tooFrequent(wait));
    const db = await getDb();
    const [row] = await queryRows<{ desired_version: number; desired_config: unknown; desired_firmware: string | null }>(
      db,
      sql`select d.desired_version, d.desired_config, d.desired_firmware
          from device_tokens t
          join devices d on d.id = t.device_id and d.org_id = t.org_id
          where t.token_hash = ${tokenHash} and d.udid = ${udid} and t.revoked_at is null`,
    );
    if (!row) {
      await noteFailure(udid, token, tokenHash, clientAddress(req.headers));
      return respond(refused());
    }
    const version = Number(row.desired_version);
    const etag = desiredEtag(version);
    const headers = { etag, "cache-control": "private, no-cache" };
    if (etagMatches(req.headers.get("if-none-match"), etag)) return new Response(null, { status: 304, headers });
    const config = typeof row.desired_config === "string" ? JSON.parse(row.desired_config) : (row.desired_config ?? {});
    return NextResponse.json({ version, config, firmwareVersion: row.desired_firmware }, { headers });
  } catch (err) {
    if (isDatabaseUnavailable(err)) return unavailable();
    console.error("[device-api] unexpected error:", err);
    return jsonError(500, "internal_error", "Something went wrong on our side.");
  }
}

function tooLarge(): DeviceAnswer {
  return problem(413, "payload_too_large", `The body is larger than ${MAX_DEVICE_BODY_BYTES / 1024} KB.`);
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function bearerToken(header: string | null): string | null {
  const match = header?.match(/^Bearer\s+(\S+)\s*$/i);
  return match ? match[1] : null;
}

/**
 * Records device.authentication.failed for the device the token ties the request to, if any (its public
 * reference, or a known token): never for another org's device with the same udid. Throttled in the database;
 * never fails the reply.
 */
async function noteFailure(udid: string, token: string, tokenHash: string, ip: string | null): Promise<void> {
  try {
    const db = await getDb();
    const { outboxIds } = await recordAuthenticationFailure(
      db,
      udid,
      { ref: deviceTokenRef(token), tokenHash },
      { ip },
    );
    if (outboxIds.length > 0) kickDelivery(outboxIds);
  } catch (err) {
    if (isDatabaseUnavailable(err)) throw err;
    console.error("[device-api] could not record an authentication failure:", err);
  }
}
