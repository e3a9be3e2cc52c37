"use client";

import { useActionState } from "react";
import { FormMessage, SubmitButton } from "@/components/ui";
import { sendTestEmailAction } from "@/lib/actions/emails";

/** Emails → Send test email (to yourself). */
export function SendTestEmail({ orgSlug }: { orgSlug: string }) {
  const [state, action] = useActionState(sendTestEmailAction, null);
  return (
    <form action={action} className="flex flex-col items-end gap-2">
      <input type="hidden" name="orgSlug" value={orgSlug} />
      <SubmitButton variant="secondary" pendingLabel="Sending…">
        Send test email
      </SubmitButton>
      <FormMessage state={state} />
    </form>
  );
}
