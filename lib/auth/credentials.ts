import "server-only";
import { eq } from "drizzle-orm";
import { getDb } from "@/db/client";
import { users } from "@/db/schema";
import { hitRateLimit, peekRateLimit, resetRateLimit } from "@/lib/rate-limit";
import { verifyPassword } from "./password";

/** Failed sign-ins allowed per email, and per client address, in one window. */
export const SIGN_IN_MAX_FAILURES = Number(process.env.SIGN_IN_MAX_FAILURES ?? 5);
export const SIGN_IN_WINDOW_SECONDS = 15 * 60;

export type CredentialCheck =
  | { ok: true; user: { id: number; email: string; name: string } }
  | { ok: false; reason: "invalid" }
  | { ok: false; reason: "rate_limited"; retryAfterSeconds: number };

/**
 * Checks an email and password with a limit on failures per email and per client address.
 * While a key is over the limit the password is not even checked, so guessing stops working.
 */
export async function checkCredentials(email: string, password: string, clientIp = "unknown"): Promise<CredentialCheck> {
  const db = await getDb();
  const normalized = email.trim().toLowerCase();
  const keys = [`signin:email:${normalized}`, `signin:ip:${clientIp}`];
  const limits = [SIGN_IN_MAX_FAILURES, SIGN_IN_MAX_FAILURES * 4];
  for (let i = 0; i < keys.length; i++) {
    const { count, retryAfterSeconds } = await peekRateLimit(db, keys[i], SIGN_IN_WINDOW_SECONDS);
    if (count >= limits[i]) return { ok: false, reason: "rate_limited", retryAfterSeconds };
  }
  const [user] = await db.select().from(users).where(eq(users.email, normalized)).limit(1);
  const ok = await verifyPassword(password, user?.passwordHash);
  if (!ok || !user) {
    await Promise.all(keys.map((k) => hitRateLimit(db, k, Number.MAX_SAFE_INTEGER, SIGN_IN_WINDOW_SECONDS)));
    return { ok: false, reason: "invalid" };
  }
  await resetRateLimit(db, keys[0]);
  return { ok: true, user: { id: user.id, email: user.email, name: user.name } };
}

/** "Try again in 12 minutes." */
export function retryAfterText(seconds: number): string {
  if (seconds < 90) return `${seconds} seconds`;
  return `${Math.ceil(seconds / 60)} minutes`;
}
