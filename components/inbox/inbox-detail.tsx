"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState, useTransition } from "react";
import { Alert, Button, Card, ConfirmDialog, CopyButton, FormMessage, Modal, Spinner } from "@/components/ui";
import { clearInboxAction, deleteInboxAction, updateInboxAction } from "@/lib/actions/inbox";
import type { ActionState } from "@/lib/actions/safe-action";
import { describeResponse } from "@/lib/inbox/body-view";
import { inboxUrl } from "@/lib/inbox/constants";
import type { InboxSummary } from "@/lib/inbox/types";
import { queryKeys } from "@/components/ui/portal-api";
import { fetchInboxRequests, useOrigin } from "./inbox-api";
import { InboxSettingsForm } from "./inbox-settings-form";
import { RequestItem } from "./request-item";

const PAGE = 50;
const POLL_MS = 2_000;

/** A clock for "sent 3 s ago" labels, ticking once a second. */
function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  return now;
}

/** The selected inbox: its URL, response settings, actions, and its captured requests newest first (polled). */
export function InboxDetail({
  orgSlug,
  inbox,
  canEdit,
  serverOrigin,
  onDeleted,
}: {
  orgSlug: string;
  inbox: InboxSummary;
  canEdit: boolean;
  serverOrigin: string;
  onDeleted: () => void;
}) {
  const queryClient = useQueryClient();
  const origin = useOrigin(serverOrigin);
  const url = inboxUrl(origin, inbox.token);
  const now = useNow();
  const [limit, setLimit] = useState(PAGE);
  const [editing, setEditing] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [outcome, setOutcome] = useState<ActionState>(null);
  const [pending, startTransition] = useTransition();
  const [pendingWhat, setPendingWhat] = useState<"clear" | "delete" | null>(null);

  const requests = useQuery({
    queryKey: queryKeys.inboxRequests(orgSlug, inbox.id, limit),
    queryFn: () => fetchInboxRequests(orgSlug, inbox.id, limit),
    refetchInterval: POLL_MS,
    refetchIntervalInBackground: false,
    placeholderData: (prev) => prev,
  });
  const data = requests.data;
  const shown = data?.inbox ?? inbox;

  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: queryKeys.inboxes(orgSlug) }),
      queryClient.invalidateQueries({ queryKey: queryKeys.allInboxRequests(orgSlug) }),
    ]);

  function clear() {
    setPendingWhat("clear");
    startTransition(async () => {
      const result = await clearInboxAction(null, { orgSlug, inboxId: inbox.id });
      setOutcome(result);
      await refresh();
      setPendingWhat(null);
    });
  }

  function remove() {
    setPendingWhat("delete");
    startTransition(async () => {
      const result = await deleteInboxAction(null, { orgSlug, inboxId: inbox.id });
      setPendingWhat(null);
      setConfirmDelete(false);
      if (!result?.ok) {
        setOutcome(result);
        return;
      }
      onDeleted();
      await queryClient.invalidateQueries({ queryKey: queryKeys.inboxes(orgSlug) });
    });
  }

  async function save(prev: ActionState, form: FormData): Promise<ActionState> {
    const result = await updateInboxAction(prev, form);
    if (result?.ok) {
      setOutcome(result);
      setEditing(false);
      await refresh();
    }
    return result;
  }

  const curl = `curl -X POST '${url}' \\\n  -H 'content-type: application/json' \\\n  -d '{"hello":"inbox"}'`;

  return (
    <div className="min-w-0 space-y-5">
      <Card>
        <div className="flex flex-wrap items-start justify-between gap-3 border-b border-line px-5 py-4">
          <div className="min-w-0">
            <h2 className="truncate text-[15px] font-semibold text-fg">{shown.name}</h2>
            <p className="mt-0.5 text-sm text-muted">
              {describeResponse(shown.responseStatus, shown.responseDelayMs)} · accepts any method · bodies up to 256 KB
            </p>
          </div>
          {canEdit ? (
            <div className="flex flex-wrap items-center gap-2">
              <Button size="sm" onClick={() => setEditing(true)}>
                Edit response
              </Button>
              <Button size="sm" onClick={clear} pending={pending && pendingWhat === "clear"} disabled={pending}>
                Clear inbox
              </Button>
              <span aria-hidden="true" className="mx-1 h-5 w-px self-center bg-line" />
              <Button size="sm" variant="danger" onClick={() => setConfirmDelete(true)} disabled={pending}>
                Delete inbox
              </Button>
            </div>
          ) : null}
        </div>
        <div className="space-y-3 px-5 py-4">
          <div>
            <label htmlFor={`inbox-url-${inbox.id}`} className="text-xs font-medium uppercase tracking-wide text-muted">
              Inbox URL
            </label>
            <div className="mt-1.5 flex items-center gap-2">
              <input
                id={`inbox-url-${inbox.id}`}
                readOnly
                value={url}
                onFocus={(e) => e.currentTarget.select()}
                className="h-9 min-w-0 flex-1 rounded-md border border-line-strong bg-subtle px-3 font-mono text-[13px] text-fg"
                suppressHydrationWarning
              />
              <CopyButton value={url} label="Copy URL" size="md" />
            </div>
            <p className="mt-1.5 text-[13px] text-muted">
              Anyone with this URL can send requests to it, so treat it like a password. Paste it as a webhook&apos;s URL (or use
              &quot;Use an inbox&quot; in the webhook form).
            </p>
          </div>
          <FormMessage state={outcome} />
        </div>
      </Card>

      <section aria-labelledby={`requests-${inbox.id}`} className="space-y-3">
        <div className="flex flex-wrap items-center justify-between gap-2">
          <h3 id={`requests-${inbox.id}`} className="text-sm font-semibold text-fg">
            Requests{" "}
            <span className="font-normal text-muted">
              · {data ? `${data.total}${data.total >= data.retention ? ` (newest ${data.retention} kept)` : ""}` : shown.requestCount}
            </span>
          </h3>
          <span className="inline-flex items-center gap-2 text-[13px] text-muted" aria-live="off">
            {requests.isError ? (
              <span className="text-danger">Not updating: {(requests.error as Error).message}</span>
            ) : (
              <>
                <span className="relative flex size-2" aria-hidden="true">
                  <span className="absolute inline-flex size-full animate-ping rounded-full bg-success opacity-60" />
                  <span className="relative inline-flex size-2 rounded-full bg-success" />
                </span>
                Live · checks every {POLL_MS / 1000} s
              </>
            )}
          </span>
        </div>

        {!data && requests.isPending ? (
          <Card className="flex items-center justify-center gap-2 px-5 py-10 text-sm text-muted">
            <Spinner /> Loading requests…
          </Card>
        ) : data && data.requests.length === 0 ? (
          <Card className="px-5 py-8">
            <div className="mx-auto max-w-xl text-center">
              <h4 className="text-[15px] font-semibold text-fg">Waiting for the first request</h4>
              <p className="mt-1 text-sm text-muted">
                Send a webhook here — or try it from a terminal. New requests appear within two seconds.
              </p>
            </div>
            <div className="mx-auto mt-4 max-w-xl">
              <pre className="whitespace-pre-wrap break-all rounded-md border border-line bg-subtle/60 p-3 font-mono text-[12.5px]" suppressHydrationWarning>
                {curl}
              </pre>
              <div className="mt-2 flex justify-end">
                <CopyButton value={curl.replace(/\\\n\s+/g, "")} label="Copy command" />
              </div>
            </div>
          </Card>
        ) : data ? (
          <>
            <ol className="space-y-2" aria-label={`Requests captured by ${shown.name}, newest first`}>
              {data.requests.map((r, i) => (
                <RequestItem key={r.id} request={r} orgSlug={orgSlug} inboxId={inbox.id} nowMs={now} defaultOpen={i === 0} />
              ))}
            </ol>
            {data.total > data.requests.length ? (
              <div className="flex justify-center">
                <Button onClick={() => setLimit((l) => Math.min(l + PAGE, data.retention))} pending={requests.isFetching && limit > data.requests.length}>
                  Show older requests ({data.total - data.requests.length} more)
                </Button>
              </div>
            ) : null}
          </>
        ) : (
          <Alert tone="danger" title="Could not load the requests">
            {(requests.error as Error | null)?.message ?? "Try reloading the page."}
          </Alert>
        )}
      </section>

      <Modal open={editing} onClose={() => setEditing(false)} title="Edit response" description="What this inbox answers to every request it captures.">
        {editing ? (
          <InboxSettingsForm
            orgSlug={orgSlug}
            inboxId={inbox.id}
            action={save}
            submitLabel="Save"
            pendingLabel="Saving…"
            initial={{ name: shown.name, responseStatus: shown.responseStatus, responseDelayMs: shown.responseDelayMs }}
            onCancel={() => setEditing(false)}
          />
        ) : null}
      </Modal>

      <ConfirmDialog
        open={confirmDelete}
        onCancel={() => setConfirmDelete(false)}
        onConfirm={remove}
        pending={pending && pendingWhat === "delete"}
        title={`Delete inbox "${shown.name}"?`}
        confirmLabel="Delete"
      >
        <p className="text-muted">
          Its URL will answer 404 from now on, so webhooks pointing at it will fail.{" "}
          {shown.requestCount > 0
            ? `Its ${shown.requestCount} captured request${shown.requestCount === 1 ? " is" : "s are"} deleted too. `
            : ""}
          This cannot be undone.
        </p>
      </ConfirmDialog>
    </div>
  );
}
