import "server-only";
import { eq, sql } from "drizzle-orm";
import { getDb, type Db } from "@/db/client";
import { users } from "@/db/schema";
import { isDatabaseUnavailable } from "@/lib/http/json";

/**
 * Revocable sessions. Sessions are JWTs (no session table), so each carries the user's `session_version` from the
 * moment it was issued; every request compares it with the current one, and bumping the version ("Sign out
 * everywhere", a password change) ends every session issued before.
 */

/** The user's current session version, or null when the account no longer exists. */
export async function currentSessionVersion(db: Db, userId: number): Promise<number | null> {
  const [row] = await db.select({ v: users.sessionVersion }).from(users).where(eq(users.id, userId)).limit(1);
  return row ? row.v : null;
}

/** Ends every session of the user issued so far; returns the new version. */
export async function bumpSessionVersion(db: Db, userId: number): Promise<number> {
  const [row] = await db
    .update(users)
    .set({ sessionVersion: sql`${users.sessionVersion} + 1` })
    .where(eq(users.id, userId))
    .returning({ v: users.sessionVersion });
  return row?.v ?? 0;
}

type Token = Record<string, unknown> & { uid?: unknown; sv?: unknown };

/**
 * next-auth's jwt callback: on sign-in the token takes the user id and session version; on every later request a
 * token whose version is not the user's current one (or whose user is gone) is refused (null clears the cookie).
 */
export async function sessionJwt({ token, user }: { token: Token; user?: { id?: string; sessionVersion?: unknown } }) {
  if (user?.id) {
    token.uid = user.id;
    token.sv = typeof user.sessionVersion === "number" ? user.sessionVersion : 0;
    return token;
  }
  const uid = Number(token.uid);
  if (!Number.isInteger(uid) || uid <= 0) return null;
  let current: number | null;
  try {
    current = await currentSessionVersion(await getDb(), uid);
  } catch (err) {
    // An unreachable database must not sign everyone out (every page needs it anyway and answers 503).
    if (isDatabaseUnavailable(err)) return token;
    throw err;
  }
  // tokens issued before session versions existed carry none: they count as version 0
  if (current === null || current !== (typeof token.sv === "number" ? token.sv : 0)) return null;
  return token;
}
