"use client";

import { useActionState } from "react";
import { Field, FormMessage, Input, PasswordInput, SubmitButton } from "@/components/ui";
import { acceptInvitationAction, signUpWithInvitationAction } from "@/lib/actions/invitations";
import { PASSWORD_MIN } from "@/lib/validation/auth";

/** Signed in with the invited address: one button. */
export function AcceptInvitationForm({ token }: { token: string }) {
  const [state, action] = useActionState(acceptInvitationAction, null);
  return (
    <form action={action} className="space-y-4">
      <input type="hidden" name="token" value={token} />
      <FormMessage state={state?.ok ? null : state} />
      <SubmitButton className="w-full" pendingLabel="Joining…">
        Accept invitation
      </SubmitButton>
    </form>
  );
}

/** No account with the invited address yet: Name + Password (the email is the invited one). */
export function InvitationSignUpForm({ token, email }: { token: string; email: string }) {
  const [state, action] = useActionState(signUpWithInvitationAction, null);
  const values = (state?.values ?? {}) as Record<string, string>;
  const errors = state?.errors ?? {};
  return (
    <form action={action} className="space-y-4" noValidate>
      <input type="hidden" name="token" value={token} />
      <Field label="Email">
        <Input name="email" type="email" value={email} readOnly aria-readonly="true" />
      </Field>
      <Field label="Name" error={errors.name}>
        <Input name="name" autoComplete="name" defaultValue={values.name} required maxLength={100} autoFocus />
      </Field>
      <Field label="Password" error={errors.password} hint={errors.password ? undefined : `At least ${PASSWORD_MIN} characters.`}>
        <PasswordInput name="password" autoComplete="new-password" required minLength={PASSWORD_MIN} />
      </Field>
      <FormMessage state={state?.ok ? null : state} />
      <SubmitButton className="w-full" pendingLabel="Creating account…">
        Create account and join
      </SubmitButton>
    </form>
  );
}
