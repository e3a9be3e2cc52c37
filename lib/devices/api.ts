import "server-only";
import { NextResponse } from "next/server";
import type { z } from "zod";
import { getDb } from "@/db/client";
import { intEnv } from "@/lib/env";
import { clientAddress } from "@/lib/http/client-ip";
import { readJsonBody } from "@/lib/http/body";
import { isDatabaseUnavailable, jsonError, unavailable, validationError } from "@/lib/http/json";
import { TokenBucket } from "@/lib/rate-limit";
import { kickDelivery, kickLease, kickLeased } from "@/lib/delivery/kick";
import { sql } from "drizzle-orm";
import { queryRows } from "@/db/client";
import { UserError } from "@/lib/errors";
import { recordStatusRequest } from "@/lib/metrics";
import { udidSchema } from "@/lib/validation/devices";
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

function unauthorized() {
  return jsonError(401, "unauthorized", UNAUTHORIZED_MESSAGE, undefined, {
    "www-authenticate": 'Bearer realm="signalpost-devices"',
  });
}

/**
 * The device-token wrapper of /api/v1/devices/{udid}/…: size, auth header, content type, per-device rate limit,
 * JSON body and schema, then the contact (which authenticates the token against the udid inside its transaction).
 * Every refusal uses the one JSON error shape; an unreachable database answers 503 with Retry-After.
 */
export async function handleDeviceRequest<S extends z.ZodType>(
  req: Request,
  params: Promise<{ udid: string }>,
  schema: S,
  toContact: (body: z.infer<S>) => Pick<ContactInput, "report" | "signals" | "ack">,
): Promise<Response> {
  const started = performance.now();
  const response = await deviceRequest(req, params, schema, toContact);
  recordStatusRequest(response.status, performance.now() - started);
  return response;
}

async function deviceRequest<S extends z.ZodType>(
  req: Request,
  params: Promise<{ udid: string }>,
  schema: S,
  toContact: (body: z.infer<S>) => Pick<ContactInput, "report" | "signals" | "ack">,
): Promise<Response> {
  try {
    const { udid: rawUdid } = await params;
    const udid = safeDecode(rawUdid);

    const declared = req.headers.get("content-length");
    if (declared !== null && Number(declared) > MAX_DEVICE_BODY_BYTES) return tooLarge();

    // an address that keeps sending wrong tokens is slowed down before any token is checked (no address known,
    // e.g. not behind `next start` or a proxy: not limited by address)
    const address = clientAddress(req.headers);
    const blocked = address ? failureBucket().peek(address) : 0;
    if (blocked > 0) {
      return jsonError(429, "rate_limited", `Too many failed device authentications from this address; retry in ${blocked} s.`, undefined, {
        "retry-after": String(blocked),
      });
    }
    const failed = () => {
      if (address) failureBucket().take(address);
      return unauthorized();
    };

    const token = bearerToken(req.headers.get("authorization"));
    const udidOk = udidSchema.safeParse(udid).success;
    // A missing or malformed token ties the request to no device: refused, and no event anywhere.
    if (!token || !udidOk || !DEVICE_TOKEN_PATTERN.test(token)) return failed();
    const tokenHash = hashDeviceToken(token);
    // One token belongs to one device, so a bucket per (udid, token) is a bucket per device, checked before any
    // database work.
    const wait = deviceBucket().take(`${udid}\u0000${tokenHash}`);
    if (wait > 0) {
      return jsonError(429, "rate_limited", `Too many requests for this device; retry in ${wait} s.`, undefined, {
        "retry-after": String(wait),
      });
    }

    const read = await readJsonBody(req, { maxBytes: MAX_DEVICE_BODY_BYTES, emptyIsObject: true });
    if (!read.ok) return jsonError(read.problem.status, read.problem.code, read.problem.message);
    const body = schema.safeParse(read.value);
    if (!body.success) return validationError(body.error);

    const db = await getDb();
    const leaseUntil = kickLease();
    const result = await recordDeviceContact(db, { udid, tokenHash, ...toContact(body.data), ip: clientAddress(req.headers), leaseUntil });
    if (!result) {
      await noteFailure(udid, token, tokenHash, req);
      return failed();
    }
    if (result.leased.length > 0) kickLeased(result.leased, leaseUntil!);
    else if (result.outboxIds.length > 0) kickDelivery(result.outboxIds);
    return NextResponse.json(contactReply(result));
  } catch (err) {
    // an ack of a version never written: refused as a whole, nothing recorded
    if (err instanceof UserError) return jsonError(400, "invalid_request", err.message, err.errors);
    if (isDatabaseUnavailable(err)) return unavailable();
    console.error("[device-api] unexpected error:", err);
    return jsonError(500, "internal_error", "Something went wrong on our side; nothing was recorded.");
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
    if (!token || !udidOk || !DEVICE_TOKEN_PATTERN.test(token)) return unauthorized();
    const tokenHash = hashDeviceToken(token);
    const wait = deviceBucket().take(`${udid}\u0000${tokenHash}`);
    if (wait > 0) {
      return jsonError(429, "rate_limited", `Too many requests for this device; retry in ${wait} s.`, undefined, {
        "retry-after": String(wait),
      });
    }
    const db = await getDb();
    const [row] = await queryRows<{ desired_version: number; desired_config: unknown; desired_firmware: string | null }>(
      db,
      sql`select d.desired_version, d.desired_config, d.desired_firmware
          from device_tokens t
          join devices d on d.id = t.device_id and d.org_id = t.org_id
          where t.token_hash = ${tokenHash} and d.udid = ${udid} and t.revoked_at is null`,
    );
    if (!row) {
      await noteFailure(udid, token, tokenHash, req);
      return unauthorized();
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

function tooLarge() {
  return jsonError(413, "payload_too_large", `The body is larger than ${MAX_DEVICE_BODY_BYTES / 1024} KB.`);
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
async function noteFailure(udid: string, token: string, tokenHash: string, req: Request): Promise<void> {
  try {
    const db = await getDb();
    const { outboxIds } = await recordAuthenticationFailure(
      db,
      udid,
      { ref: deviceTokenRef(token), tokenHash },
      { ip: clientAddress(req.headers) },
    );
    if (outboxIds.length > 0) kickDelivery(outboxIds);
  } catch (err) {
    if (isDatabaseUnavailable(err)) throw err;
    console.error("[device-api] could not record an authentication failure:", err);
  }
}
