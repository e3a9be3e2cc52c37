"use server";

import { AuthError, CredentialsSignin } from "next-auth";
import { headers } from "next/headers";
import { z } from "zod";
import { getDb } from "@/db/client";
import { AccountError, createUserWithOrg } from "@/lib/accounts";
import { signIn, signOut } from "@/lib/auth/config";
import { retryAfterText, SIGN_IN_MAX_FAILURES, SIGN_IN_WINDOW_SECONDS } from "@/lib/auth/credentials";
import { clientAddress } from "@/lib/http/client-ip";
import { peekRateLimit } from "@/lib/rate-limit";
import { eq, sql } from "drizzle-orm";
import { users } from "@/db/schema";
import { checkCredentials } from "@/lib/auth/credentials";
import { hashPassword } from "@/lib/auth/password";
import { passwordWeakness } from "@/lib/auth/password-policy";
import { getSessionUserId } from "@/lib/auth/session";
import { bumpSessionVersion } from "@/lib/auth/session-version";
import { changePasswordSchema, signInSchema, signUpSchema } from "@/lib/validation/auth";
import type { ActionState } from "./safe-action";

function fieldErrors(error: z.ZodError): Record<string, string[]> {
  return z.flattenError(error).fieldErrors as Record<string, string[]>;
}

function formValues(formData: FormData, keys: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of keys) {
    const v = formData.get(key);
    if (typeof v === "string") out[key] = v;
  }
  return out;
}

/** Sign-up: creates the user, their org (they are owner) and the audit entry, then signs in and opens the org. */
export async function signUpAction(_prev: ActionState, formData: FormData): Promise<ActionState> {
  const values = formValues(formData, ["name", "email", "orgName"]);
  const parsed = signUpSchema.safeParse(Object.fromEntries(formData));
  if (!parsed.success) {
    return { ok: false, message: "Please correct the highlighted fields.", errors: fieldErrors(parsed.error), values };
  }
  const weak = passwordWeakness(parsed.data.password);
  if (weak) return { ok: false, message: "Please correct the highlighted fields.", errors: { password: [weak] }, values };
  let slug: string;
  try {
    const { org } = await createUserWithOrg(await getDb(), parsed.data);
    slug = org.slug;
  } catch (err) {
    if (err instanceof AccountError) return { ok: false, message: err.message, errors: err.errors, values };
    console.error("[sign-up] unexpected error:", err);
    return { ok: false, message: "Something went wrong on our side; no account was created. Please try again.", values };
  }
  // Throws a redirect into the new org on success.
  await signIn("credentials", { email: parsed.data.email, password: parsed.data.password, redirectTo: `/orgs/${slug}/devices` });
  return { ok: true };
}

/** Client address as authorize() sees it (same headers), for reading the sign-in limit's reset time. */
async function clientIp(): Promise<string> {
  return clientAddress(await headers()) || "unknown";
}

/** Seconds until the sign-in limit that blocks this email or address resets. */
async function signInRetryAfter(email: string): Promise<number> {
  const db = await getDb();
  const checks = [
    { key: `signin:email:${email}`, limit: SIGN_IN_MAX_FAILURES },
    { key: `signin:ip:${await clientIp()}`, limit: SIGN_IN_MAX_FAILURES * 4 },
  ];
  let wait = 0;
  for (const { key, limit } of checks) {
    const { count, retryAfterSeconds } = await peekRateLimit(db, key, SIGN_IN_WINDOW_SECONDS);
    if (count >= limit) wait = Math.max(wait, retryAfterSeconds);
  }
  return wait || SIGN_IN_WINDOW_SECONDS;
}

/**
 * Sign-in with email and password through next-auth's Credentials provider. Wrong credentials and the failure
 * limit come back as messages; the successful redirect (and any other error) is re-thrown.
 */
export async function signInAction(_prev: ActionState, formData: FormData): Promise<ActionState> {
  const values = formValues(formData, ["email", "next"]);
  const parsed = signInSchema.safeParse(Object.fromEntries(formData));
  if (!parsed.success) {
    return { ok: false, message: "Please correct the highlighted fields.", errors: fieldErrors(parsed.error), values };
  }
  const { email, password, next } = parsed.data;
  try {
    await signIn("credentials", { email, password, redirectTo: next ?? "/" });
  } catch (err) {
    if (err instanceof CredentialsSignin && err.code === "rate_limited") {
      const wait = retryAfterText(await signInRetryAfter(email));
      return { ok: false, message: `Too many failed sign-ins. Try again in ${wait}.`, values };
    }
    if (err instanceof AuthError) {
      return { ok: false, message: "The email or password is incorrect.", values };
    }
    throw err;
  }
  return { ok: true };
}

/** Signs out and returns to the sign-in page. */
export async function signOutAction(): Promise<void> {
  await signOut({ redirectTo: "/sign-in" });
}

/** User menu → Sign out everywhere: ends every session of this account (all browsers and devices), then this one. */
export async function signOutEverywhereAction(): Promise<void> {
  const userId = await getSessionUserId();
  if (userId) await bumpSessionVersion(await getDb(), userId);
  await signOut({ redirectTo: "/sign-in" });
}

/**
 * Account → Change password: checks the current password (under the sign-in limits), stores the new one, ends
 * every other session, and re-issues this browser's session so it stays signed in.
 */
export async function changePasswordAction(_prev: ActionState, formData: FormData): Promise<ActionState> {
  const userId = await getSessionUserId();
  if (!userId) return { ok: false, message: "Please sign in." };
  const parsed = changePasswordSchema.safeParse(Object.fromEntries(formData));
  if (!parsed.success) {
    return { ok: false, message: "Please correct the highlighted fields.", errors: fieldErrors(parsed.error) };
  }
  const { currentPassword, newPassword } = parsed.data;
  const weak = passwordWeakness(newPassword);
  if (weak) return { ok: false, message: "Please correct the highlighted fields.", errors: { newPassword: [weak] } };
  const db = await getDb();
  const [user] = await db.select({ email: users.email }).from(users).where(eq(users.id, userId)).limit(1);
  if (!user) return { ok: false, message: "Your account no longer exists. Please sign in again." };
  const check = await checkCredentials(user.email, currentPassword, await clientIp());
  if (!check.ok) {
    if (check.reason === "rate_limited") {
      return { ok: false, message: `Too many failed attempts. Try again in ${retryAfterText(check.retryAfterSeconds)}.` };
    }
    return { ok: false, message: "The current password is incorrect.", errors: { currentPassword: ["The current password is incorrect"] } };
  }
  if (currentPassword === newPassword) {
    return { ok: false, message: "Please correct the highlighted fields.", errors: { newPassword: ["The new password is the same as the current one"] } };
  }
  const passwordHash = await hashPassword(newPassword);
  await db
    .update(users)
    .set({ passwordHash, sessionVersion: sql`${users.sessionVersion} + 1` })
    .where(eq(users.id, userId));
  // every session issued before is now refused; this one is replaced by a fresh one (throws the redirect)
  await signIn("credentials", { email: user.email, password: newPassword, redirectTo: "/account?changed=1" });
  return { ok: true };
}
