import "server-only";
import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "@/db/client";
import { deviceTokens } from "@/db/schema";
import { sha256Hex } from "@/lib/crypto/encryption";
import { randomBase62 } from "@/lib/ids";

export const DEVICE_TOKEN_PREFIX = "spd_";
/**
 * "spd_" + a public reference (12 base62) + "_" + the secret (40 base62): `spd_<ref>_<secret>`. Tokens issued
 * before references existed are "spd_" + 32–128 base62 characters and keep working (looked up by hash). Anything
 * else is refused before the database is asked.
 */
export const DEVICE_TOKEN_PATTERN = /^spd_(?:[0-9A-Za-z]{12}_)?[0-9A-Za-z]{32,128}$/;
const REF_LENGTH = 12; // ~71 bits: unique per token (a unique index guards it)
const TOKEN_RANDOM_LENGTH = 40; // ~238 bits

export type NewDeviceToken = { token: string; hash: string; prefix: string; ref: string };

/**
 * A fresh device token with its SHA-256 hash (what is stored), its public reference (stored as is: it ties a
 * request to one token, and so to one device, even when the secret is wrong) and display prefix ("spd_" + 6).
 */
export function generateDeviceToken(): NewDeviceToken {
  const ref = randomBase62(REF_LENGTH);
  const token = `${DEVICE_TOKEN_PREFIX}${ref}_${randomBase62(TOKEN_RANDOM_LENGTH)}`;
  return { token, hash: sha256Hex(token), prefix: token.slice(0, DEVICE_TOKEN_PREFIX.length + 6), ref };
}

/** The public reference a token carries (`spd_<ref>_<secret>`), or null (an older token, or not a token). */
export function deviceTokenRef(token: string): string | null {
  const m = /^spd_([0-9A-Za-z]{12})_[0-9A-Za-z]{32,128}$/.exec(token);
  return m ? m[1] : null;
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
