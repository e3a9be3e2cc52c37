"use client";

import Link from "next/link";
import { useActionState } from "react";
import { Field, FormMessage, Input, PasswordInput, SubmitButton } from "@/components/ui";
import { signUpAction } from "@/lib/actions/auth";
import { PASSWORD_MIN } from "@/lib/validation/auth";

/** Name, Email, Password, Organization name → account, org (owner) and a signed-in session. */
export function SignUpForm() {
  const [state, action] = useActionState(signUpAction, null);
  const values = (state?.values ?? {}) as Record<string, string>;
  const errors = state?.errors ?? {};
  return (
    <form action={action} className="space-y-4" noValidate>
      <Field label="Name" error={errors.name}>
        <Input name="name" autoComplete="name" defaultValue={values.name} required maxLength={100} autoFocus />
      </Field>
      <Field label="Email" error={errors.email}>
        <Input name="email" type="email" autoComplete="email" defaultValue={values.email} required />
      </Field>
      <Field label="Password" error={errors.password} hint={errors.password ? undefined : `At least ${PASSWORD_MIN} characters.`}>
        <PasswordInput name="password" autoComplete="new-password" required minLength={PASSWORD_MIN} />
      </Field>
      <Field
        label="Organization name"
        error={errors.orgName}
        hint="Your team or company. You can rename it later and invite others."
      >
        <Input name="orgName" autoComplete="organization" defaultValue={values.orgName} required maxLength={100} />
      </Field>
      <FormMessage state={state?.ok ? null : state} />
      <SubmitButton className="w-full" pendingLabel="Creating account…">
        Create account
      </SubmitButton>
      <p className="text-center text-sm text-muted">
        Already have an account?{" "}
        <Link href="/sign-in" className="font-medium text-accent hover:underline">
          Sign in
        </Link>
      </p>
    </form>
  );
}
