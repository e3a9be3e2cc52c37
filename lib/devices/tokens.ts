import "server-only";
import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "@/db/client";
import { deviceTokens } from "@/db/schema";
import { sha256Hex } from "@/lib/crypto/encryption";
import { randomBase62 } from "@/lib/ids";

export const DEVICE_TOKEN_PREFIX = "spd_";
/**
 * "spd_" + at least 32 base62 characters; anything else is refused before the database is asked. Tokens issued
 * now are "spd_" + a public reference (12 base62, stored as is) + the secret (40 base62): the reference ties a
 * request to one token, and so to one device, even when the secret is wrong. Older tokens (no reference stored)
 * keep working: every token is looked up by its hash.
 */
export const DEVICE_TOKEN_PATTERN = /^spd_[0-9A-Za-z]{32,128}$/;
const REF_LENGTH = 12; // ~71 bits: unique per token (a unique index guards it)
const TOKEN_RANDOM_LENGTH = 40; // ~238 bits

export type NewDeviceToken = { token: string; hash: string; prefix: string; ref: string };

/** A fresh device token with its SHA-256 hash (what is stored), its public reference and display prefix ("spd_" + 6). */
export function generateDeviceToken(): NewDeviceToken {
  const ref = randomBase62(REF_LENGTH);
  const token = `${DEVICE_TOKEN_PREFIX}${ref}${randomBase62(TOKEN_RANDOM_LENGTH)}`;
  return { token, hash: sha256Hex(token), prefix: token.slice(0, DEVICE_TOKEN_PREFIX.length + 6), ref };
}

/**
 * The public reference a well-formed token would carry (its first 12 characters after "spd_"), or null. For an
 * older token it matches no stored reference, so it ties the request to nothing.
 */
export function deviceTokenRef(token: string): string | null {
  return DEVICE_TOKEN_PATTERN.test(token) ? token.slice(DEVICE_TOKEN_PREFIX.length, DEVICE_TOKEN_PREFIX.length + REF_LENGTH) : null;
}

/** The stored hash of a presented token. */
export function hashDeviceToken(token: string): string {
  return sha256Hex(token);
}

/**
 * Revokes every active token of the device and issues a new one, inside the caller's transaction: the old token
 * stops working the moment this commits. Returns the plaintext token, which is never stored.
 */
export async function issueDeviceToken(
  tx: Db,
  device: { id: number; orgId: number },
  now: Date = new Date(),
): Promise<NewDeviceToken> {
  await tx
    .update(deviceTokens)
    .set({ revokedAt: now })
    .where(and(eq(deviceTokens.deviceId, device.id), eq(deviceTokens.orgId, device.orgId), isNull(deviceTokens.revokedAt)));
  const fresh = generateDeviceToken();
  await tx.insert(deviceTokens).values({
    orgId: device.orgId,
    deviceId: device.id,
    tokenHash: fresh.hash,
    ref: fresh.ref,
    prefix: fresh.prefix,
    createdAt: now,
  });
  return fresh;
}
