import "server-only";
import { createHash, randomBytes } from "node:crypto";
import { and, eq, isNull, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { passwordResets, users } from "@/db/schema";
import { hashPassword } from "@/lib/auth/password";
import { appUrl } from "@/lib/email/config";
import { queueEmails } from "@/lib/email/queue";
import { renderEmail } from "@/lib/email/render";
import { hitRateLimit } from "@/lib/rate-limit";
import { AccountError } from "./errors";

/** Reset links work once, for one hour. */
export const PASSWORD_RESET_TTL_MS = 3_600_000;
/** At most this many reset emails per address per hour (more requests get the same answer and send nothing). */
export const RESET_EMAILS_PER_HOUR = 3;

/** The one answer to every well-formed request, whether or not an account uses the address. */
export const RESET_REQUESTED =
  "If an account uses this address, we have sent it a link to reset the password. The link expires in 1 hour.";

const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

/**
 * "Forgot password?": when an account uses the address (and it has not had RESET_EMAILS_PER_HOUR links this hour),
 * a reset link is stored and emailed. The caller answers the same whatever happened, so the answer never reveals
 * whether the address has an account; the email is rendered either way so both paths cost about the same.
 * Returns the email outbox ids to kick (empty when nothing was sent).
 */
export async function requestPasswordReset(db: Db, rawEmail: string, now = new Date()): Promise<number[]> {
  const email = rawEmail.trim().toLowerCase();
  const token = `pwr_${randomBytes(32).toString("base64url")}`;
  const url = `${appUrl()}/reset-password/${token}`;
  const content = await renderEmail({
    subject: "Reset your Signalpost password",
    heading: "Reset your password",
    paragraphs: [
      "Someone (hopefully you) asked to reset the password of the Signalpost account that uses this address.",
      "The link works once and expires in 1 hour. Setting a new password signs you out everywhere else.",
    ],
    action: { label: "Choose a new password", url },
    footer: "If you did not ask for this, ignore this email: your password stays as it is.",
  });
  return db.transaction(async (tx) => {
    const [user] = await tx.select({ id: users.id }).from(users).where(eq(users.email, email)).limit(1);
    if (!user) return [];
    const limit = await hitRateLimit(tx, `pwreset:${user.id}`, RESET_EMAILS_PER_HOUR, 3_600, now);
    if (!limit.allowed) return [];
    await tx.insert(passwordResets).values({ userId: user.id, tokenHash: hashToken(token), expiresAt: new Date(now.getTime() + PASSWORD_RESET_TTL_MS) });
    return queueEmails(tx, [{ kind: "password_reset", to: email, orgId: null, userId: user.id, email: content }]);
  });
}

export type ResetLinkState = "valid" | "expired" | "used" | "unknown";

export const RESET_REFUSED: Record<Exclude<ResetLinkState, "valid">, string> = {
  expired: "This reset link has expired. Ask for a new one.",
  used: "This reset link was already used. Ask for a new one if you need to.",
  unknown: "This reset link is not valid. Ask for a new one.",
};

/** What a reset link leads to (the page /reset-password/[token]). */
export async function resetLinkState(db: Db, token: string, now = new Date()): Promise<ResetLinkState> {
  if (!/^pwr_[A-Za-z0-9_-]{20,100}$/.test(token)) return "unknown";
  const [row] = await db.select().from(passwordResets).where(eq(passwordResets.tokenHash, hashToken(token))).limit(1);
  if (!row) return "unknown";
  if (row.usedAt) return "used";
  return row.expiresAt.getTime() <= now.getTime() ? "expired" : "valid";
}

/**
 * Sets a new password from a reset link: single use (the row is locked and marked used; the user's other open links
 * are used up too), and the session version is bumped so every existing session ends. Returns the account's email.
 */
export async function resetPassword(tx: Db, token: string, newPassword: string, now = new Date()): Promise<{ email: string }> {
  const state = await resetLinkState(tx, token, now);
  if (state !== "valid") throw new AccountError(RESET_REFUSED[state]);
  const passwordHash = await hashPassword(newPassword);
  const [row] = await tx
    .update(passwordResets)
    .set({ usedAt: now })
    .where(and(eq(passwordResets.tokenHash, hashToken(token)), isNull(passwordResets.usedAt)))
    .returning({ userId: passwordResets.userId });
  if (!row) throw new AccountError(RESET_REFUSED.used);
  const [user] = await tx
    .update(users)
    .set({ passwordHash, sessionVersion: sql`${users.sessionVersion} + 1` })
    .where(eq(users.id, row.userId))
    .returning({ email: users.email });
  await tx.update(passwordResets).set({ usedAt: now }).where(and(eq(passwordResets.userId, row.userId), isNull(passwordResets.usedAt)));
  return { email: user.email };
}
