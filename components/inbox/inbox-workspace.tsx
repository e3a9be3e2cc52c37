"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Badge, Button, Card, EmptyState, Modal, cn } from "@/components/ui";
import { createInboxAction } from "@/lib/actions/inbox";
import type { ActionState } from "@/lib/actions/safe-action";
import { INBOX_RETENTION } from "@/lib/inbox/constants";
import type { InboxSummary } from "@/lib/inbox/types";
import { queryKeys } from "@/components/ui/portal-api";
import { fetchInboxes } from "./inbox-api";
import { InboxDetail } from "./inbox-detail";
import { InboxSettingsForm } from "./inbox-settings-form";

const PlusIcon = (
  <svg viewBox="0 0 20 20" fill="currentColor" aria-hidden="true" className="size-4">
    <path d="M10.75 4.75a.75.75 0 0 0-1.5 0v4.5h-4.5a.75.75 0 0 0 0 1.5h4.5v4.5a.75.75 0 0 0 1.5 0v-4.5h4.5a.75.75 0 0 0 0-1.5h-4.5v-4.5Z" />
  </svg>
);

/**
 * The Inbox page's client side: the org's inboxes on the left, the selected one's captured requests (live) on the
 * right. The selection is kept in the URL (?inbox=id) so a reload or a shared link opens the same inbox.
 */
export function InboxWorkspace({
  orgSlug,
  canEdit,
  initialInboxes,
  initialSelectedId,
  serverOrigin,
}: {
  orgSlug: string;
  canEdit: boolean;
  initialInboxes: InboxSummary[];
  initialSelectedId: number | null;
  serverOrigin: string;
}) {
  const queryClient = useQueryClient();
  const { data: inboxes = initialInboxes } = useQuery({
    queryKey: queryKeys.inboxes(orgSlug),
    queryFn: () => fetchInboxes(orgSlug),
    initialData: initialInboxes,
    refetchInterval: 5_000,
  });
  const [chosenId, setChosenId] = useState<number | null>(initialSelectedId);
  const [creating, setCreating] = useState(false);
  const selected = inboxes.find((i) => i.id === chosenId) ?? inboxes[0] ?? null;

  function select(id: number | null) {
    setChosenId(id);
    const url = new URL(window.location.href);
    if (id === null) url.searchParams.delete("inbox");
    else url.searchParams.set("inbox", String(id));
    window.history.replaceState(null, "", url);
  }

  async function create(prev: ActionState, form: FormData): Promise<ActionState> {
    const result = await createInboxAction(prev, form);
    if (result?.ok) {
      const created = result.data as { id: number };
      await queryClient.invalidateQueries({ queryKey: queryKeys.inboxes(orgSlug) });
      select(created.id);
      setCreating(false);
    }
    return result;
  }

  const createButton = canEdit ? (
    <Button variant="primary" icon={PlusIcon} onClick={() => setCreating(true)}>
      Create inbox
    </Button>
  ) : null;

  return (
    <>
      {inboxes.length === 0 ? (
        <Card>
          <EmptyState
            title="No inboxes yet"
            text={
              canEdit
                ? "An inbox is a URL that records every request sent to it. Point a webhook at it to see exactly what your receiver will get — headers, body and whether the signature verifies."
                : "An inbox is a URL that records every request sent to it. Ask an owner or admin of this organization to create one."
            }
            action={createButton}
          />
        </Card>
      ) : (
        <div className="grid items-start gap-6 lg:grid-cols-[17rem_minmax(0,1fr)]">
          <nav aria-label="Inboxes" className="space-y-3 lg:sticky lg:top-6">
            <div className="flex items-center justify-between gap-2">
              <h2 className="text-sm font-semibold text-fg">
                Inboxes <span className="font-normal text-muted">· {inboxes.length}</span>
              </h2>
              {canEdit ? (
                <Button size="sm" icon={PlusIcon} onClick={() => setCreating(true)}>
                  Create inbox
                </Button>
              ) : null}
            </div>
            <ul className="space-y-1.5">
              {inboxes.map((inbox) => {
                const active = selected?.id === inbox.id;
                return (
                  <li key={inbox.id}>
                    <button
                      type="button"
                      onClick={() => select(inbox.id)}
                      aria-current={active ? "true" : undefined}
                      className={cn(
                        "w-full rounded-lg border px-3 py-2.5 text-left transition-colors",
                        active ? "border-accent/50 bg-accent-soft" : "border-line bg-surface hover:bg-subtle",
                      )}
                    >
                      <span className={cn("block truncate text-sm font-medium", active ? "text-accent" : "text-fg")}>{inbox.name}</span>
                      <span className="mt-1 flex flex-wrap items-center gap-1.5 text-xs text-muted">
                        <Badge tone={inbox.responseStatus < 300 ? "success" : inbox.responseStatus < 500 ? "warning" : "danger"}>
                          {inbox.responseStatus}
                        </Badge>
                        {inbox.responseDelayMs > 0 ? <Badge>{inbox.responseDelayMs / 1000} s delay</Badge> : null}
                        <span>
                          {inbox.requestCount} request{inbox.requestCount === 1 ? "" : "s"}
                        </span>
                      </span>
                    </button>
                  </li>
                );
              })}
            </ul>
            <p className="px-1 text-xs text-muted">Each inbox keeps its newest {INBOX_RETENTION} requests.</p>
          </nav>
          {selected ? (
            <InboxDetail
              key={selected.id}
              orgSlug={orgSlug}
              inbox={selected}
              canEdit={canEdit}
              serverOrigin={serverOrigin}
              onDeleted={() => select(null)}
            />
          ) : null}
        </div>
      )}
      <Modal
        open={creating}
        onClose={() => setCreating(false)}
        title="Create inbox"
        description="You get a URL that accepts any method and records each request. It answers with the status you choose here."
      >
        {creating ? (
          <InboxSettingsForm
            orgSlug={orgSlug}
            action={create}
            submitLabel="Create inbox"
            pendingLabel="Creating…"
            onCancel={() => setCreating(false)}
          />
        ) : null}
      </Modal>
    </>
  );
}

