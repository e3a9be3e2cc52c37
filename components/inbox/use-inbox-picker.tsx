"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useId } from "react";
import { usePopover } from "@/components/shell/use-popover";
import { Button, Spinner } from "@/components/ui";
import { describeResponse } from "@/lib/inbox/body-view";
import { inboxUrl } from "@/lib/inbox/constants";
import { queryKeys } from "@/components/ui/portal-api";
import { fetchInboxes } from "./inbox-api";

/**
 * "Use an inbox": a button next to a webhook's URL field that lists the org's inboxes and calls `onPick` with the
 * chosen inbox's full URL (this page's origin + /api/inbox/{token}).
 */
export function UseInboxPicker({ orgSlug, onPick }: { orgSlug: string; onPick: (url: string) => void }) {
  // closes on a click or focus outside, and on Escape (focus back to the button)
  const { open, setOpen, rootRef, triggerRef, toggle } = usePopover();
  const menuId = useId();
  const { data, isPending, isError, error } = useQuery({
    queryKey: queryKeys.inboxes(orgSlug),
    queryFn: () => fetchInboxes(orgSlug),
    enabled: open,
  });

  return (
    <div ref={rootRef} className="relative inline-block">
      <Button
        ref={triggerRef}
        aria-haspopup="true"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        onClick={toggle}
        icon={
          <svg viewBox="0 0 20 20" fill="currentColor" aria-hidden="true" className="size-4">
            <path d="M1.75 11.5a.75.75 0 0 1 .75-.75h3.3a1 1 0 0 1 .95.68l.36 1.07h5.78l.36-1.07a1 1 0 0 1 .95-.68h3.3a.75.75 0 0 1 .75.75v3.75A2.75 2.75 0 0 1 15.5 18h-11a2.75 2.75 0 0 1-2.75-2.75V11.5Zm2.6-8.18A2.25 2.25 0 0 1 6.5 2h7a2.25 2.25 0 0 1 2.15 1.32l1.57 5.93h-3.02a2.5 2.5 0 0 0-2.37 1.71L11.66 11H8.34l-.17-.04-.02-.05A2.5 2.5 0 0 0 5.8 9.25H2.78l1.57-5.93Z" />
          </svg>
        }
      >
        Use an inbox
      </Button>
      {open ? (
        <div
          id={menuId}
          role="group"
          aria-label="Inboxes"
          className="absolute right-0 z-30 mt-1.5 w-80 max-w-[calc(100vw-2rem)] rounded-lg border border-line bg-surface p-1.5 shadow-lg"
        >
          {isPending ? (
            <p className="flex items-center gap-2 px-2.5 py-2 text-sm text-muted">
              <Spinner /> Loading inboxes…
            </p>
          ) : isError ? (
            <p className="px-2.5 py-2 text-sm text-danger">{(error as Error).message}</p>
          ) : data.length === 0 ? (
            <div className="px-2.5 py-2 text-sm">
              <p className="text-muted">This organization has no inbox yet.</p>
              <Link href={`/orgs/${encodeURIComponent(orgSlug)}/inbox`} className="mt-1 inline-block font-medium text-accent hover:underline">
                Create one on the Inbox page
              </Link>
            </div>
          ) : (
            <ul className="max-h-72 overflow-y-auto">
              {data.map((inbox) => (
                <li key={inbox.id}>
                  <button
                    type="button"
                    className="w-full rounded-md px-2.5 py-2 text-left hover:bg-subtle focus:bg-subtle focus:outline-none focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-accent"
                    onClick={() => {
                      onPick(inboxUrl(window.location.origin, inbox.token));
                      setOpen(false);
                      triggerRef.current?.focus();
                    }}
                  >
                    <span className="block truncate text-sm font-medium text-fg">{inbox.name}</span>
                    <span className="block text-xs text-muted">
                      {describeResponse(inbox.responseStatus, inbox.responseDelayMs)} · {inbox.requestCount} request
                      {inbox.requestCount === 1 ? "" : "s"}
                    </span>
                  </button>
                </li>
              ))}
            </ul>
          )}
        </div>
      ) : null}
    </div>
  );
}
