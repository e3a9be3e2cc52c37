"use client";

import Link from "next/link";
import { useActionState } from "react";
import { Field, FormMessage, Input, PasswordInput, SubmitButton } from "@/components/ui";
import { requestPasswordResetAction, resetPasswordAction } from "@/lib/actions/password-reset";
import { PASSWORD_MIN } from "@/lib/validation/auth";

/** Email → "Send reset link"; the same answer whether or not an account uses the address. */
export function ForgotPasswordForm() {
  const [state, action] = useActionState(requestPasswordResetAction, null);
  return (
    <form action={action} className="space-y-4" noValidate>
      <Field label="Email" error={state?.errors?.email}>
        <Input name="email" type="email" autoComplete="email" required autoFocus />
      </Field>
      <FormMessage state={state} />
      <SubmitButton className="w-full" pendingLabel="Sending…">
        Send reset link
      </SubmitButton>
      <p className="text-center text-sm text-muted">
        <Link href="/sign-in" className="font-medium text-accent hover:underline">
          Back to sign in
        </Link>
      </p>
    </form>
  );
}

/** New password for a reset link. */
export function ResetPasswordForm({ token }: { token: string }) {
  const [state, action] = useActionState(resetPasswordAction, null);
  return (
    <form action={action} className="space-y-4" noValidate>
      <input type="hidden" name="token" value={token} />
      <Field label="New password" error={state?.errors?.password} hint={state?.errors?.password ? undefined : `At least ${PASSWORD_MIN} characters.`}>
        <PasswordInput name="password" autoComplete="new-password" required minLength={PASSWORD_MIN} autoFocus />
      </Field>
      <FormMessage state={state?.ok ? null : state} />
      <SubmitButton className="w-full" pendingLabel="Saving…">
        Set new password
      </SubmitButton>
    </form>
  );
}
