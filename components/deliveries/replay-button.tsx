"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useActionState, useEffect, useState } from "react";
import { Button, Field, FormMessage, Input, Modal } from "@/components/ui";
import { queryKeys } from "@/components/ui/portal-api";
import { replayFailedAction } from "@/lib/actions/deliveries";
import type { ActionState } from "@/lib/actions/safe-action";

/** A datetime-local value ("YYYY-MM-DDTHH:mm") for a date, in the browser's time zone. */
function localInputValue(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** "Replay failed deliveries": pick a time, and every failed delivery since then is queued again. */
export function ReplayFailedButton({ orgSlug, webhookId }: { orgSlug: string; webhookId?: number }) {
  const [open, setOpen] = useState(false);
  const [since, setSince] = useState("");
  const queryClient = useQueryClient();
  const [state, action, pending] = useActionState<ActionState, FormData>(replayFailedAction, null);
  useEffect(() => {
    if (state?.ok) void queryClient.invalidateQueries({ queryKey: queryKeys.deliveries(orgSlug) });
  }, [state, orgSlug, queryClient]);

  const openDialog = () => {
    setSince(localInputValue(new Date(Date.now() - 24 * 3_600_000)));
    setOpen(true);
  };

  return (
    <>
      <Button onClick={openDialog}>Replay failed deliveries</Button>
      <Modal
        open={open}
        onClose={() => setOpen(false)}
        title="Replay failed deliveries"
        description={
          webhookId
            ? "Every failed delivery of this webhook whose event happened at or after this time is sent again, with the same webhook-id so receivers can dedupe."
            : "Every failed delivery in this organization whose event happened at or after this time is sent again, with the same webhook-id so receivers can dedupe."
        }
        footer={
          <>
            <Button onClick={() => setOpen(false)}>Close</Button>
            <Button type="submit" form="replay-form" variant="primary" pending={pending} pendingLabel="Replaying…">
              Replay
            </Button>
          </>
        }
      >
        <form id="replay-form" action={action} className="space-y-4">
          <input type="hidden" name="orgSlug" value={orgSlug} />
          {webhookId ? <input type="hidden" name="webhookId" value={webhookId} /> : null}
          <input type="hidden" name="tzOffset" value={new Date().getTimezoneOffset()} />
          <Field label="Failed since" error={state?.errors?.since} hint="Your local time.">
            <Input type="datetime-local" name="since" value={since} onChange={(e) => setSince(e.target.value)} required />
          </Field>
          <FormMessage state={state} />
        </form>
      </Modal>
    </>
  );
}
