"use client";

import { useState } from "react";
import { Badge, Timestamp, cn, type BadgeTone } from "@/components/ui";
import { describeBody, formatBytes } from "@/lib/inbox/body-view";
import { summarizeRequest } from "@/lib/inbox/request-summary";
import type { InboxRequestView } from "@/lib/inbox/types";
import { requestBodyUrl } from "./inbox-api";
import { SignatureLine } from "./signature-line";

const METHOD_TONE: Record<string, BadgeTone> = {
  GET: "accent",
  POST: "success",
  PUT: "warning",
  PATCH: "warning",
  DELETE: "danger",
};

function BodyPanel({ request, orgSlug, inboxId }: { request: InboxRequestView; orgSlug: string; inboxId: number }) {
  const [raw, setRaw] = useState(false);
  const view = describeBody({
    body: request.body,
    bodyEncoding: request.bodyEncoding,
    size: request.size,
    contentType: request.headers["content-type"],
    truncated: request.bodyTruncated,
  });
  const pre = "max-h-[28rem] overflow-auto whitespace-pre-wrap break-all rounded-md border border-line bg-subtle/60 p-3 font-mono text-[12.5px] leading-relaxed";
  const canToggle = view.kind === "json" || view.kind === "form";
  return (
    <section aria-label="Body">
      <div className="mb-1.5 flex flex-wrap items-center justify-between gap-2">
        <h4 className="text-xs font-medium uppercase tracking-wide text-muted">
          Body <span className="normal-case tracking-normal">· {formatBytes(request.size)}{request.headers["content-type"] ? ` · ${request.headers["content-type"]}` : ""}</span>
        </h4>
        <div className="flex items-center gap-3 text-[13px]">
          {canToggle ? (
            <button type="button" className="font-medium text-accent hover:underline" onClick={() => setRaw((r) => !r)}>
              {raw ? "Show formatted" : "Show raw"}
            </button>
          ) : null}
          {request.size > 0 ? (
            <a className="font-medium text-accent hover:underline" href={requestBodyUrl(orgSlug, inboxId, request.id)}>
              Download
            </a>
          ) : null}
        </div>
      </div>
      {view.kind === "empty" ? (
        <p className="text-sm text-muted">No body.</p>
      ) : raw || view.kind === "text" ? (
        <>
          <pre tabIndex={0} className={pre}>{request.body}</pre>
          {request.bodyTruncated ? (
            <p className="mt-1 text-[13px] text-muted">Showing the first {formatBytes(request.body.length)}; download for the whole body.</p>
          ) : null}
        </>
      ) : view.kind === "json" ? (
        <pre tabIndex={0} className={pre}>{view.text}</pre>
      ) : view.kind === "form" ? (
        <div tabIndex={0} className="overflow-x-auto rounded-md border border-line">
          <table className="w-full text-left font-mono text-[12.5px]">
            <caption className="sr-only">Form fields</caption>
            <thead className="bg-subtle/60 font-sans text-xs uppercase tracking-wide text-muted">
              <tr>
                <th scope="col" className="px-3 py-1.5 font-medium">Field</th>
                <th scope="col" className="px-3 py-1.5 font-medium">Value</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-line">
              {view.rows.map(([name, value], i) => (
                <tr key={`${name}-${i}`}>
                  <td className="whitespace-nowrap px-3 py-1.5 align-top text-muted">{name}</td>
                  <td className="break-all px-3 py-1.5">{value}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <div className="space-y-1.5">
          <p className="text-sm text-fg">
            Binary body, {formatBytes(view.size)} (not valid UTF-8). Base64{view.more ? " excerpt" : ""}:
          </p>
          <pre tabIndex={0} className={pre}>
            {view.excerpt}
            {view.more ? "…" : ""}
          </pre>
        </div>
      )}
    </section>
  );
}

function HeadersPanel({ headers }: { headers: Record<string, string> }) {
  const names = Object.keys(headers).sort();
  return (
    <section aria-label="Headers">
      <h4 className="mb-1.5 text-xs font-medium uppercase tracking-wide text-muted">Headers · {names.length}</h4>
      <div tabIndex={0} className="overflow-x-auto rounded-md border border-line">
        <table className="w-full text-left font-mono text-[12.5px]">
          <caption className="sr-only">Request headers</caption>
          <tbody className="divide-y divide-line">
            {names.map((name) => (
              <tr key={name} className={name.startsWith("webhook-") ? "bg-accent-soft/50" : undefined}>
                <th scope="row" className="w-56 whitespace-nowrap px-3 py-1.5 align-top font-normal text-muted">
                  {name}
                </th>
                <td className="break-all px-3 py-1.5">{headers[name]}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** One captured request: a summary row (method, path and query, time, size) that opens to its headers and body. */
export function RequestItem({
  request,
  orgSlug,
  inboxId,
  nowMs,
  defaultOpen,
}: {
  request: InboxRequestView;
  orgSlug: string;
  inboxId: number;
  nowMs: number;
  defaultOpen: boolean;
}) {
  const [open, setOpen] = useState(defaultOpen);
  // the token makes every path long and alike: a delivery shows its event type and webhook-id instead
  const summary = summarizeRequest(request);
  const panelId = `inbox-request-${request.id}`;
  return (
    <li className="rounded-lg border border-line bg-surface shadow-sm" data-testid="inbox-request">
      <button
        type="button"
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => setOpen((o) => !o)}
        className="flex w-full items-center gap-3 rounded-lg px-4 py-2.5 text-left hover:bg-subtle/50"
      >
        <svg
          viewBox="0 0 20 20"
          fill="currentColor"
          aria-hidden="true"
          className={cn("size-4 shrink-0 text-muted transition-transform", open && "rotate-90")}
        >
          <path fillRule="evenodd" d="M7.2 14.8a.75.75 0 0 1 0-1.06L10.94 10 7.2 6.26a.75.75 0 1 1 1.06-1.06l4.27 4.27a.75.75 0 0 1 0 1.06L8.26 14.8a.75.75 0 0 1-1.06 0Z" clipRule="evenodd" />
        </svg>
        <Badge tone={METHOD_TONE[request.method] ?? "neutral"} className="w-16 justify-center font-mono">
          {request.method}
        </Badge>
        {summary.eventType || summary.webhookId ? (
          <span className="flex min-w-0 flex-1 flex-col sm:flex-row sm:items-baseline sm:gap-2">
            <span className="truncate font-mono text-[13px] font-medium text-fg sm:shrink-0">{summary.eventType ?? "webhook"}</span>
            {summary.webhookId ? <span className="min-w-0 truncate font-mono text-[11.5px] text-muted">{summary.webhookId}</span> : null}
          </span>
        ) : (
          <span className="min-w-0 flex-1 truncate font-mono text-[13px] text-fg">{summary.target}</span>
        )}
        <SignatureBadge request={request} />
        <span className="hidden w-16 shrink-0 text-right text-[13px] text-muted sm:inline">{formatBytes(request.size)}</span>
        <Timestamp value={request.receivedAt} focusable={false} className="w-28 shrink-0 text-right text-[13px] text-muted" />
      </button>
      <div id={panelId} hidden={!open} className="space-y-4 border-t border-line px-4 py-3.5">
        <SignatureLine verdict={request.signature} nowMs={nowMs} />
        <p className="break-all text-[13px] text-muted">
          Received <Timestamp value={request.receivedAt} mode="absolute" /> · request #{request.id} ·{" "}
          <span className="font-mono">
            {request.method} {summary.target}
          </span>
        </p>
        <HeadersPanel headers={request.headers} />
        <BodyPanel request={request} orgSlug={orgSlug} inboxId={inboxId} />
      </div>
    </li>
  );
}

function SignatureBadge({ request }: { request: InboxRequestView }) {
  const s = request.signature;
  if (s.status === "verified") return <Badge tone="success" dot>Verified</Badge>;
  if (s.status === "invalid") return <Badge tone="danger" dot>Invalid</Badge>;
  return <Badge tone="neutral">Unsigned</Badge>;
}
