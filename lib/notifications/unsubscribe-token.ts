import "server-only";
import { createHmac, hkdfSync, timingSafeEqual } from "node:crypto";
import { authSecret } from "@/lib/env";

/**
 * One-click unsubscribe tokens (RFC 8058): `u1.<org>.<user>.<kind>.<HMAC-SHA256>`, keyed by a key derived from
 * AUTH_SECRET for this one purpose. Not guessable, good for exactly one member of one org and one kind of email
 * (device notifications or operational alerts); nothing is stored, so every email a member ever got keeps working.
 */
export const UNSUBSCRIBE_KINDS = ["notifications", "alerts"] as const;
export type UnsubscribeKind = (typeof UNSUBSCRIBE_KINDS)[number];

export type UnsubscribeTarget = { orgId: number; userId: number; kind: UnsubscribeKind };

let cached: { secret: string; key: Buffer } | undefined;
function key(): Buffer {
  const secret = authSecret();
  if (cached?.secret !== secret) cached = { secret, key: Buffer.from(hkdfSync("sha256", secret, "signalpost", "unsubscribe-v1", 32)) };
  return cached.key;
}

function mac(payload: string): Buffer {
  return createHmac("sha256", key()).update(payload).digest();
}

export function unsubscribeToken(t: UnsubscribeTarget): string {
  const payload = `u1.${t.orgId}.${t.userId}.${t.kind}`;
  return `${payload}.${mac(payload).toString("base64url")}`;
}

const TOKEN = /^u1\.([1-9][0-9]{0,9})\.([1-9][0-9]{0,9})\.(notifications|alerts)\.([A-Za-z0-9_-]{43})$/;

/** The target of a token, or null when it is malformed or its signature does not match. */
export function verifyUnsubscribeToken(token: string): UnsubscribeTarget | null {
  if (typeof token !== "string" || token.length > 200) return null;
  const m = TOKEN.exec(token);
  if (!m) return null;
  // Compare the encoded text, not decoded bytes: the 43rd character carries 2 padding bits that decoding ignores,
  // so comparing bytes would accept 4 spellings of one signature (an altered link that still works).
  const expected = Buffer.from(mac(`u1.${m[1]}.${m[2]}.${m[3]}`).toString("base64url"));
  const given = Buffer.from(m[4]);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  const orgId = Number(m[1]);
  const userId = Number(m[2]);
  if (orgId > 2_147_483_647 || userId > 2_147_483_647) return null;
  return { orgId, userId, kind: m[3] as UnsubscribeKind };
}
