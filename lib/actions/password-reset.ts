"use server";

import { redirect } from "next/navigation";
import { z } from "zod";
import { getDb } from "@/db/client";
import { AccountError } from "@/lib/accounts";
import { RESET_REQUESTED, requestPasswordReset, resetPassword } from "@/lib/accounts/password-reset";
import { passwordWeakness } from "@/lib/auth/password-policy";
import { kickEmails } from "@/lib/email/kick";
import { PASSWORD_MAX, PASSWORD_MIN } from "@/lib/validation/auth";
import type { ActionState } from "./safe-action";

const forgotSchema = z.object({
  email: z
    .string()
    .trim()
    .min(1, "Enter your email address")
    .max(254, "Email must be at most 254 characters")
    .pipe(z.email("Enter a valid email address, like name@example.com")),
});

const resetSchema = z.object({
  token: z.string().min(1).max(200),
  password: z
    .string()
    .min(PASSWORD_MIN, `Password must be at least ${PASSWORD_MIN} characters`)
    .max(PASSWORD_MAX, `Password must be at most ${PASSWORD_MAX} characters`)
    .refine((v) => v.trim() !== "", "Password cannot be only spaces"),
});

/** /forgot-password: emails a reset link when an account uses the address; the answer never says whether one does. */
export async function requestPasswordResetAction(_prev: ActionState, formData: FormData): Promise<ActionState> {
  const parsed = forgotSchema.safeParse(Object.fromEntries(formData));
  if (!parsed.success) {
    return {
      ok: false,
      message: "Please correct the highlighted fields.",
      errors: z.flattenError(parsed.error).fieldErrors as Record<string, string[]>,
    };
  }
  const ids = await requestPasswordReset(await getDb(), parsed.data.email);
  if (ids.length > 0) void kickEmails();
  return { ok: true, message: RESET_REQUESTED };
}

/** /reset-password/[token]: sets the new password, ends every session, then asks to sign in with it. */
export async function resetPasswordAction(_prev: ActionState, formData: FormData): Promise<ActionState> {
  const parsed = resetSchema.safeParse(Object.fromEntries(formData));
  if (!parsed.success) {
    return {
      ok: false,
      message: "Please correct the highlighted fields.",
      errors: z.flattenError(parsed.error).fieldErrors as Record<string, string[]>,
    };
  }
  const weak = passwordWeakness(parsed.data.password);
  if (weak) return { ok: false, message: "Please correct the highlighted fields.", errors: { password: [weak] } };
  try {
    const db = await getDb();
    await db.transaction((tx) => resetPassword(tx, parsed.data.token, parsed.data.password));
  } catch (err) {
    if (err instanceof AccountError) return { ok: false, message: err.message };
    throw err;
  }
  redirect("/sign-in?reset=1");
}
