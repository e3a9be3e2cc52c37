"use client";

import { useActionState } from "react";
import { Field, FormMessage, Input, SubmitButton } from "@/components/ui";
import { createOrgAction } from "@/lib/actions/org";
import { ORG_NAME_MAX } from "@/lib/validation/org";

/** Organization name → a new org where the user is owner. */
export function NewOrgForm() {
  const [state, action] = useActionState(createOrgAction, null);
  const values = (state?.values ?? {}) as Record<string, string>;
  return (
    <form action={action} className="space-y-4" noValidate>
      <Field label="Organization name" error={state?.errors?.name} hint="You will be its owner and can add members next.">
        <Input name="name" defaultValue={values.name} maxLength={ORG_NAME_MAX} autoComplete="organization" autoFocus required />
      </Field>
      <FormMessage state={state} />
      <SubmitButton className="w-full" pendingLabel="Creating…">
        Create organization
      </SubmitButton>
    </form>
  );
}
