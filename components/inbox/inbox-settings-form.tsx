"use client";

import { useActionState } from "react";
import { Button, Field, FormMessage, Input, SubmitButton } from "@/components/ui";
import type { ActionState } from "@/lib/actions/safe-action";
import { INBOX_MAX_DELAY_MS } from "@/lib/inbox/constants";

type Action = (prev: ActionState, form: FormData) => Promise<ActionState>;

const COMMON_STATUSES: Array<[number, string]> = [
  [200, "OK"],
  [201, "Created"],
  [202, "Accepted"],
  [204, "No Content"],
  [400, "Bad Request"],
  [401, "Unauthorized"],
  [404, "Not Found"],
  [410, "Gone — disables the webhook"],
  [429, "Too Many Requests"],
  [500, "Internal Server Error"],
  [502, "Bad Gateway"],
  [503, "Service Unavailable"],
];

/**
 * Name, response status and delay of an inbox — "Create inbox" and "Edit response" share it. The action runs on
 * the server (validated there with the same zod schema); errors show under each field and keep what was typed.
 */
export function InboxSettingsForm({
  orgSlug,
  action,
  submitLabel,
  pendingLabel,
  initial,
  inboxId,
  onCancel,
}: {
  orgSlug: string;
  action: Action;
  submitLabel: string;
  pendingLabel: string;
  initial?: { name: string; responseStatus: number; responseDelayMs: number };
  inboxId?: number;
  onCancel: () => void;
}) {
  const [state, formAction] = useActionState(action, null);
  const v = state?.values ?? {};
  const value = (key: string, fallback: string) => (typeof v[key] === "string" ? (v[key] as string) : fallback);
  return (
    <form action={formAction} className="space-y-4" noValidate>
      <input type="hidden" name="orgSlug" value={orgSlug} />
      {inboxId ? <input type="hidden" name="inboxId" value={inboxId} /> : null}
      <Field label="Name" required error={state?.errors?.name}>
        <Input name="name" defaultValue={value("name", initial?.name ?? "")} maxLength={50} autoFocus autoComplete="off" placeholder="e.g. Staging receiver" />
      </Field>
      <div className="grid gap-4 sm:grid-cols-2">
        <Field
          label="Response status"
          error={state?.errors?.responseStatus}
          hint="200–599. Rehearse failures with 500, 410 or 429."
        >
          <Input
            name="responseStatus"
            type="number"
            inputMode="numeric"
            min={200}
            max={599}
            list="inbox-status-codes"
            defaultValue={value("responseStatus", String(initial?.responseStatus ?? 200))}
          />
        </Field>
        <Field
          label="Delay (seconds)"
          error={state?.errors?.responseDelaySeconds}
          hint={`0–${INBOX_MAX_DELAY_MS / 1000}. Answers after this long, like a slow receiver.`}
        >
          <Input
            name="responseDelaySeconds"
            type="number"
            inputMode="decimal"
            min={0}
            max={INBOX_MAX_DELAY_MS / 1000}
            step="0.1"
            defaultValue={value("responseDelaySeconds", String((initial?.responseDelayMs ?? 0) / 1000))}
          />
        </Field>
      </div>
      <datalist id="inbox-status-codes">
        {COMMON_STATUSES.map(([code, label]) => (
          <option key={code} value={code} label={`${code} ${label}`} />
        ))}
      </datalist>
      {state && !state.ok ? <FormMessage state={state} /> : null}
      <div className="-mx-5 flex justify-end gap-2 border-t border-line px-5 pb-1 pt-3.5">
        <Button onClick={onCancel}>Cancel</Button>
        <SubmitButton pendingLabel={pendingLabel}>{submitLabel}</SubmitButton>
      </div>
    </form>
  );
}
