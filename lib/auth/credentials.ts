import "server-only";
import { and, eq } from "drizzle-orm";
import { getDb } from "@/db/client";
import { users } from "@/db/schema";
import { hitRateLimit, releaseRateLimit, resetRateLimit } from "@/lib/rate-limit";
import { hashPassword, needsRehash, verifyPassword } from "./password";

/** Failed sign-ins allowed per email, and per client address (4×), in one window. */
export const SIGN_IN_MAX_FAILURES = Number(process.env.SIGN_IN_MAX_FAILURES ?? 5);
export const SIGN_IN_WINDOW_SECONDS = 15 * 60;

export type CredentialCheck =
  | { ok: true; user: { id: number; email: string; name: string; sessionVersion: number } }
  | { ok: false; reason: "invalid" }
  | { ok: false; reason: "rate_limited"; retryAfterSeconds: number };

/**
 * Checks an email and password with a limit on failures per email and per client address.
 *
 * Each attempt first reserves a slot in both counters (one atomic upsert each), and only an attempt that got a
 * slot within the limits has its password checked: parallel guesses cannot all pass a "read, hash, then record"
 * gap. A refused attempt gives its slots back; a wrong password keeps them (they are the failure record); a
 * successful sign-in clears the email's counter and gives back its address slot.
 */
export async function checkCredentials(email: string, password: string, clientIp = "unknown"): Promise<CredentialCheck> {
  const db = await getDb();
  const normalized = email.trim().toLowerCase();
  const checks = [
    { key: `signin:email:${normalized}`, limit: SIGN_IN_MAX_FAILURES },
    { key: `signin:ip:${clientIp}`, limit: SIGN_IN_MAX_FAILURES * 4 },
  ];
  const reserved: { key: string; windowStart: Date }[] = [];
  const release = () => Promise.all(reserved.map((r) => releaseRateLimit(db, r.key, r.windowStart)));
  for (const { key, limit } of checks) {
    const hit = await hitRateLimit(db, key, limit, SIGN_IN_WINDOW_SECONDS);
    reserved.push({ key, windowStart: hit.windowStart });
    if (!hit.allowed) {
      await release();
      return { ok: false, reason: "rate_limited", retryAfterSeconds: hit.retryAfterSeconds };
    }
  }

  const [user] = await db.select().from(users).where(eq(users.email, normalized)).limit(1);
  const ok = await verifyPassword(password, user?.passwordHash);
  if (!ok || !user) return { ok: false, reason: "invalid" };

  await resetRateLimit(db, checks[0].key);
  await releaseRateLimit(db, reserved[1].key, reserved[1].windowStart);
  if (needsRehash(user.passwordHash)) {
    // bcrypt (or weaker argon2) hash from an older version: replace it now that the password is known. Only if it
    // is still the hash just checked, so a password changed meanwhile is not overwritten.
    const fresh = await hashPassword(password);
    await db
      .update(users)
      .set({ passwordHash: fresh })
      .where(and(eq(users.id, user.id), eq(users.passwordHash, user.passwordHash)));
  }
  return { ok: true, user: { id: user.id, email: user.email, name: user.name, sessionVersion: user.sessionVersion } };
}

/** "Try again in 12 minutes." */
export function retryAfterText(seconds: number): string {
  if (seconds < 90) return `${seconds} seconds`;
  return `${Math.ceil(seconds / 60)} minutes`;
}
