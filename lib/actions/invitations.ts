"use server";

import { AuthError } from "next-auth";
import { redirect } from "next/navigation";
import { z } from "zod";
import { getDb } from "@/db/client";
import { AccountError } from "@/lib/accounts";
import { acceptInvitation, signUpWithInvitation } from "@/lib/accounts/invitations";
import { signIn } from "@/lib/auth/config";
import { passwordWeakness } from "@/lib/auth/password-policy";
import { getSessionUserId } from "@/lib/auth/session";
import { signUpSchema } from "@/lib/validation/auth";
import type { ActionState } from "./safe-action";

const token = z.string().min(1).max(200);
const acceptSchema = z.object({ token });
const signUpInviteSchema = signUpSchema.pick({ name: true, password: true }).extend({ token });

/** /invite/[token] → Accept invitation (signed in with the invited address): join, then open the org. */
export async function acceptInvitationAction(_prev: ActionState, formData: FormData): Promise<ActionState> {
  const parsed = acceptSchema.safeParse(Object.fromEntries(formData));
  if (!parsed.success) return { ok: false, message: "The invitation link is missing." };
  const userId = await getSessionUserId();
  if (!userId) return { ok: false, message: "Please sign in first." };
  let slug: string;
  try {
    const db = await getDb();
    ({ orgSlug: slug } = await db.transaction((tx) => acceptInvitation(tx, userId, parsed.data.token)));
  } catch (err) {
    if (err instanceof AccountError) return { ok: false, message: err.message };
    throw err;
  }
  redirect(`/orgs/${slug}/devices`);
}

/** /invite/[token] → Create account and join (no account with the invited address yet): sign up, join, sign in. */
export async function signUpWithInvitationAction(_prev: ActionState, formData: FormData): Promise<ActionState> {
  const values = { name: typeof formData.get("name") === "string" ? String(formData.get("name")) : "" };
  const parsed = signUpInviteSchema.safeParse(Object.fromEntries(formData));
  if (!parsed.success) {
    return {
      ok: false,
      message: "Please correct the highlighted fields.",
      errors: z.flattenError(parsed.error).fieldErrors as Record<string, string[]>,
      values,
    };
  }
  const weak = passwordWeakness(parsed.data.password);
  if (weak) return { ok: false, message: "Please correct the highlighted fields.", errors: { password: [weak] }, values };
  let joined: { email: string; orgSlug: string };
  try {
    const db = await getDb();
    joined = await db.transaction((tx) => signUpWithInvitation(tx, parsed.data.token, parsed.data));
  } catch (err) {
    if (err instanceof AccountError) return { ok: false, message: err.message, values };
    console.error("[invite] unexpected error:", err);
    return { ok: false, message: "Something went wrong on our side; no account was created. Please try again.", values };
  }
  try {
    await signIn("credentials", { email: joined.email, password: parsed.data.password, redirectTo: `/orgs/${joined.orgSlug}/devices` });
  } catch (err) {
    if (err instanceof AuthError) return { ok: false, message: "Your account was created; please sign in." };
    throw err;
  }
  return { ok: true };
}
