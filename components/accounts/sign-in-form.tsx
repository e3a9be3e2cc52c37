"use client";

import Link from "next/link";
import { useActionState } from "react";
import { Field, FormMessage, Input, PasswordInput, SubmitButton } from "@/components/ui";
import { signInAction } from "@/lib/actions/auth";

/** Email + password form; errors (wrong password, too many attempts) appear above the button. */
export function SignInForm({ next, initialMessage }: { next?: string; initialMessage?: string }) {
  const [state, action] = useActionState(signInAction, initialMessage ? { ok: false, message: initialMessage } : null);
  const values = (state?.values ?? {}) as Record<string, string>;
  return (
    <form action={action} className="space-y-4" noValidate>
      {next ? <input type="hidden" name="next" value={next} /> : null}
      <Field label="Email" error={state?.errors?.email}>
        <Input name="email" type="email" autoComplete="email" defaultValue={values.email} required autoFocus />
      </Field>
      <Field label="Password" error={state?.errors?.password}>
        <PasswordInput name="password" autoComplete="current-password" required />
      </Field>
      <p className="-mt-2 text-right text-sm">
        <Link href="/forgot-password" className="text-accent hover:underline">
          Forgot password?
        </Link>
      </p>
      <FormMessage state={state} />
      <SubmitButton className="w-full" pendingLabel="Signing in…">
        Sign in
      </SubmitButton>
      <p className="text-center text-sm text-muted">
        New to Signalpost?{" "}
        <Link href="/sign-up" className="font-medium text-accent hover:underline">
          Create an account
        </Link>
      </p>
    </form>
  );
}
