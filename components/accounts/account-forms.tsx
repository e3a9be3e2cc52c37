"use client";

import { useActionState } from "react";
import { useFormStatus } from "react-dom";
import { buttonClasses, Field, FormMessage, PasswordInput, SubmitButton } from "@/components/ui";
import { changePasswordAction, signOutEverywhereAction } from "@/lib/actions/auth";
import { PASSWORD_MIN } from "@/lib/validation/auth";

/** Current password, New password → new password stored, other sessions ended, this one kept. */
export function ChangePasswordForm({ changed }: { changed: boolean }) {
  const [state, action] = useActionState(changePasswordAction, null);
  const errors = state?.errors ?? {};
  const shown = state ?? (changed ? { ok: true, message: "Password changed. Your other sessions were signed out." } : null);
  return (
    <form action={action} className="space-y-4" noValidate>
      <Field label="Current password" error={errors.currentPassword}>
        <PasswordInput name="currentPassword" autoComplete="current-password" required />
      </Field>
      <Field
        label="New password"
        error={errors.newPassword}
        hint={errors.newPassword ? undefined : `At least ${PASSWORD_MIN} characters, not a common password.`}
      >
        <PasswordInput name="newPassword" autoComplete="new-password" required minLength={PASSWORD_MIN} />
      </Field>
      <FormMessage state={shown} />
      <div className="flex justify-end">
        <SubmitButton pendingLabel="Changing…">Change password</SubmitButton>
      </div>
    </form>
  );
}

function EverywhereButton() {
  const { pending } = useFormStatus();
  return (
    <button
      type="submit"
      disabled={pending}
      className={buttonClasses("secondary")}
    >
      {pending ? "Signing out…" : "Sign out everywhere"}
    </button>
  );
}

/** Ends every session of the account, this one included. */
export function SignOutEverywhereForm() {
  return (
    <form action={signOutEverywhereAction}>
      <EverywhereButton />
    </form>
  );
}
