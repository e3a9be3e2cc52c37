import "server-only";
import { createHmac, createSecretKey, randomBytes, type KeyObject } from "node:crypto";
import { SIGNATURE_HEADERS } from "./request";
import type { BuiltRequest } from "./types";

const [ID_HEADER, TIMESTAMP_HEADER, SIGNATURE_HEADER] = SIGNATURE_HEADERS;

const SECRET_PREFIX = "whsec_";

/** A new signing secret: "whsec_" + base64 of 32 random bytes (the Standard Webhooks format). */
export function newWebhookSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString("base64");
}

const keys = new Map<string, KeyObject>();

/** The HMAC key of a secret: the base64-decoded part after "whsec_" (as the standardwebhooks package reads it). */
function secretKey(secret: string): KeyObject {
  const cached = keys.get(secret);
  if (cached) return cached;
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  const key = Buffer.from(encoded, "base64");
  if (key.length === 0) throw new Error("Signing secret is empty");
  if (keys.size >= 1_000) keys.clear(); // decoded keys of the secrets in use; bounded
  const keyObject = createSecretKey(key); // imported once, not on every HMAC
  keys.set(secret, keyObject);
  return keyObject;
}

/** One "v1,<base64 HMAC-SHA256 of {id}.{ts}.{body}>" signature. */
export function signPayload(secret: string, msgId: string, unixSeconds: number, body: string): string {
  const mac = createHmac("sha256", secretKey(secret)).update(`${msgId}.${unixSeconds}.`, "utf8").update(body, "utf8").digest("base64");
  return `v1,${mac}`;
}

/**
 * Adds the Standard Webhooks headers to a built request: webhook-id (the event id, the same on every retry),
 * webhook-timestamp (this attempt, unix seconds) and webhook-signature with one signature per valid secret
 * (current first, space-separated), so a receiver holding either secret verifies during a rotation.
 * The signature covers the exact body string that is sent. Returns a copy, or with `inPlace` adds the headers to
 * `built` itself (the delivery pass, whose request was built for this one send).
 */
export function signRequest(built: BuiltRequest, msgId: string, timestamp: Date, secrets: string[], inPlace = false): BuiltRequest {
  if (secrets.length === 0) throw new Error("No signing secret for this webhook");
  const ts = Math.floor(timestamp.getTime() / 1000);
  let signature = signPayload(secrets[0], msgId, ts, built.body);
  for (let i = 1; i < secrets.length; i++) signature += " " + signPayload(secrets[i], msgId, ts, built.body);
  const out = inPlace ? built : { ...built, headers: { ...built.headers } };
  out.headers[ID_HEADER] = msgId;
  out.headers[TIMESTAMP_HEADER] = String(ts);
  out.headers[SIGNATURE_HEADER] = signature;
  return out;
}
