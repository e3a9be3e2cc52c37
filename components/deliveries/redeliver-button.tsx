"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useActionState, useEffect } from "react";
import { Button } from "@/components/ui";
import { queryKeys } from "@/components/ui/portal-api";
import { redeliverAction } from "@/lib/actions/deliveries";
import type { ActionState } from "@/lib/actions/safe-action";

/** "Redeliver": queues one delivery again (same webhook-id) and refreshes the live views. */
export function RedeliverButton({
  orgSlug,
  deliveryId,
  size = "sm",
  variant = "secondary",
  showMessage = true,
}: {
  orgSlug: string;
  deliveryId: number;
  size?: "sm" | "md";
  variant?: "primary" | "secondary";
  showMessage?: boolean;
}) {
  const queryClient = useQueryClient();
  const [state, action, pending] = useActionState<ActionState, FormData>(redeliverAction, null);
  useEffect(() => {
    if (state?.ok) void queryClient.invalidateQueries({ queryKey: queryKeys.deliveries(orgSlug) });
  }, [state, orgSlug, queryClient]);
  return (
    <form action={action} className="inline-flex items-center gap-2" onClick={(e) => e.stopPropagation()}>
      <input type="hidden" name="orgSlug" value={orgSlug} />
      <input type="hidden" name="deliveryId" value={deliveryId} />
      <Button type="submit" size={size} variant={variant} pending={pending} pendingLabel="Queuing…">
        Redeliver
      </Button>
      {showMessage ? (
        <span aria-live="polite" className={state?.ok ? "text-xs text-muted" : "text-xs text-danger"}>
          {state?.message ?? ""}
        </span>
      ) : null}
    </form>
  );
}
