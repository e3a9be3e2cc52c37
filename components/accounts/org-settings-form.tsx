"use client";

import { useActionState } from "react";
import { Card, CardFooter, CardHeader, Field, FormMessage, Input, SubmitButton } from "@/components/ui";
import { renameOrgAction } from "@/lib/actions/org";
import { ORG_NAME_MAX } from "@/lib/validation/org";

/** Settings → General: rename the org; the slug is shown read-only. Read-only for members without the permission. */
export function OrgSettingsForm({ orgSlug, name, canEdit }: { orgSlug: string; name: string; canEdit: boolean }) {
  const [state, action] = useActionState(renameOrgAction, null);
  const values = (state?.values ?? {}) as Record<string, string>;
  return (
    <Card className="max-w-3xl">
      <CardHeader title="General" description="How this organization is named across Signalpost." />
      <form action={action} noValidate>
        <input type="hidden" name="orgSlug" value={orgSlug} />
        <div className="grid gap-5 px-5 py-5 sm:max-w-lg">
          <Field
            label="Organization name"
            error={state?.ok ? undefined : state?.errors?.name}
            hint={canEdit ? `Up to ${ORG_NAME_MAX} characters.` : "Only owners and admins can rename the organization."}
          >
            <Input name="name" defaultValue={values.name ?? name} maxLength={ORG_NAME_MAX} readOnly={!canEdit} required />
          </Field>
          <Field label="URL slug" hint="Part of every link to this organization. It stays the same when you rename it.">
            <Input value={orgSlug} readOnly className="font-mono text-[13px]" />
          </Field>
          <FormMessage state={state} />
        </div>
        {canEdit ? (
          <CardFooter>
            <SubmitButton pendingLabel="Saving…">Save</SubmitButton>
          </CardFooter>
        ) : null}
      </form>
    </Card>
  );
}
