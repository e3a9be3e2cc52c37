"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import type { ReactNode } from "react";
import { Alert, Card, CardBody, CardHeader, CopyButton, EmptyState, inTextLinkClass, Timestamp, Truncate } from "@/components/ui";
import { fetchJson, orgApiPath, queryKeys } from "@/components/ui/portal-api";
import type { DeliveryAttemptView, DeliveryDetail } from "@/lib/delivery/log";
import { RedeliverButton } from "./redeliver-button";
import { DeliveryStatusBadge, ResponseCode } from "./status-badge";

const POLL_MS = 2_000;

async function fetchDelivery(orgSlug: string, id: number): Promise<DeliveryDetail> {
  return fetchJson(`${orgApiPath(orgSlug)}/deliveries/${id}`, "the delivery");
}

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="grid gap-1 py-2 sm:grid-cols-[9rem_minmax(0,1fr)]">
      <dt className="text-sm text-muted">{label}</dt>
      <dd className="min-w-0 text-sm">{children}</dd>
    </div>
  );
}

function pretty(body: string): string {
  const t = body.trim();
  if (t.startsWith("{") || t.startsWith("[")) {
    try {
      return JSON.stringify(JSON.parse(t), null, 2);
    } catch {
      return body;
    }
  }
  return body;
}

function Code({ children, label }: { children: string; label: string }) {
  return (
    <div className="relative">
      <pre
        aria-label={label}
        // scrolls: keyboard users reach it to scroll
        tabIndex={0}
        className="max-h-80 overflow-auto whitespace-pre-wrap break-all rounded-md border border-line bg-subtle p-3 font-mono text-xs leading-relaxed"
      >
        {children || <span className="text-faint">(empty)</span>}
      </pre>
      {children ? (
        <div className="absolute right-2 top-2">
          <CopyButton value={children} label="Copy" />
        </div>
      ) : null}
    </div>
  );
}

function Headers({ headers }: { headers: Record<string, string> | null }) {
  const entries = Object.entries(headers ?? {});
  if (entries.length === 0) return <p className="text-xs text-faint">No headers</p>;
  return (
    <dl className="space-y-0.5 rounded-md border border-line bg-subtle p-3 font-mono text-xs">
      {entries.map(([k, v]) => (
        <div key={k} className="break-all">
          <dt className="inline text-muted">{k}: </dt>
          <dd className="inline">{v}</dd>
        </div>
      ))}
    </dl>
  );
}

function Attempt({ attempt, index, open }: { attempt: DeliveryAttemptView; index: number; open: boolean }) {
  const ok = attempt.responseStatus != null && attempt.responseStatus >= 200 && attempt.responseStatus < 300;
  return (
    <details open={open} className="group rounded-lg border border-line bg-surface" data-testid="delivery-attempt">
      <summary className="flex cursor-pointer list-none flex-wrap items-center gap-x-4 gap-y-1 px-4 py-3 hover:bg-subtle/60">
        <span aria-hidden="true" className="text-muted transition-transform group-open:rotate-90">›</span>
        <span className="text-sm font-medium">Attempt {index + 1}</span>
        <span className="text-sm text-muted">
          <Timestamp value={attempt.attemptedAt} focusable={false} />
        </span>
        <ResponseCode code={attempt.responseStatus} />
        {attempt.durationMs != null ? <span className="text-xs text-muted">{attempt.durationMs} ms</span> : null}
        {attempt.error ? (
          <span className={`min-w-0 flex-1 text-sm ${ok ? "text-muted" : "text-danger"}`}>
            <Truncate text={attempt.error} max={90} focusable={false} />
          </span>
        ) : null}
      </summary>
      <div className="grid gap-5 border-t border-line p-4 lg:grid-cols-2">
        <section className="min-w-0 space-y-2">
          <h3 className="text-xs font-semibold uppercase tracking-wide text-muted">Request</h3>
          <p className="break-all font-mono text-xs">
            <span className="font-semibold">{attempt.requestMethod}</span> {attempt.requestUrl}
          </p>
          <Headers headers={attempt.requestHeaders} />
          <Code label="Request body">{pretty(attempt.requestBody)}</Code>
        </section>
        <section className="min-w-0 space-y-2">
          <h3 className="text-xs font-semibold uppercase tracking-wide text-muted">Response</h3>
          {attempt.responseStatus == null ? (
            <Alert tone="danger">No response: {attempt.error ?? "the request did not complete"}.</Alert>
          ) : (
            <>
              <p className="font-mono text-xs">
                HTTP <ResponseCode code={attempt.responseStatus} />
                {attempt.durationMs != null ? <span className="text-muted"> · {attempt.durationMs} ms</span> : null}
              </p>
              <Headers headers={attempt.responseHeaders} />
              <Code label="Response body">{pretty(attempt.responseBody ?? "")}</Code>
              <p className="text-[11px] text-faint">The first 16 KB of the response body are kept.</p>
            </>
          )}
        </section>
      </div>
    </details>
  );
}

/** One delivery: where it stands (status, next attempt, last error), the event, and every attempt with request and response. */
export function DeliveryDetailView({
  orgSlug,
  canModify,
  initial,
  eventDescription,
}: {
  orgSlug: string;
  canModify: boolean;
  initial: DeliveryDetail;
  eventDescription: string;
}) {
  const { data, error } = useQuery({
    queryKey: queryKeys.delivery(orgSlug, initial.id),
    queryFn: () => fetchDelivery(orgSlug, initial.id),
    initialData: initial,
    refetchInterval: POLL_MS,
    staleTime: 0,
  });
  const d = data ?? initial;
  const attempts = d.attemptList;
  return (
    <div className="space-y-6">
      {error ? <Alert tone="danger">{(error as Error).message}</Alert> : null}
      <Card>
        <CardHeader
          title={
            <span className="flex items-center gap-3">
              Delivery <DeliveryStatusBadge status={d.status} attempts={d.attempts} parked={d.parked} inFlight={d.inFlight} />
            </span>
          }
          actions={canModify ? <RedeliverButton orgSlug={orgSlug} deliveryId={d.id} variant="primary" /> : null}
        />
        <CardBody>
          {d.status !== "succeeded" && d.lastError ? (
            <Alert tone={d.status === "failed" ? "danger" : "warning"} className="mb-3">
              <span className="font-medium">Last error:</span> <span data-testid="delivery-error">{d.lastError}</span>
            </Alert>
          ) : null}
          <dl className="divide-y divide-line">
            <Row label="Webhook">
              <Link href={`/orgs/${orgSlug}/webhooks/${d.webhookId}`} className="font-medium text-accent underline-offset-2 hover:underline">
                {d.webhookName}
              </Link>
              {!d.webhookEnabled ? <span className="ml-2 text-xs text-danger">disabled</span> : null}
            </Row>
            <Row label="Event">
              {eventDescription} <span className="font-mono text-xs text-muted">({d.eventType})</span>
            </Row>
            <Row label="webhook-id">
              <Link href={`/orgs/${orgSlug}/events/${d.eventId}`} className="font-mono text-xs text-accent underline-offset-2 hover:underline">
                {d.eventId}
              </Link>
            </Row>
            <Row label="Device">
              {d.deviceUdid ? (
                <>
                  {d.deviceId ? (
                    <Link href={`/orgs/${orgSlug}/devices/${d.deviceId}`} className={inTextLinkClass}>
                      {d.deviceName}
                    </Link>
                  ) : (
                    d.deviceName
                  )}{" "}
                  <span className="font-mono text-xs text-muted">{d.deviceUdid}</span>
                </>
              ) : (
                "—"
              )}
            </Row>
            <Row label="Created">
              <Timestamp value={d.createdAt} />
            </Row>
            <Row label="Attempts">
              {attempts.length}
              {attempts.length > d.attempts && d.attempts > 0 ? (
                <span className="text-muted"> ({d.attempts} since it was redelivered)</span>
              ) : null}
            </Row>
            {d.status === "pending" ? (
              <Row label="Next attempt">
                {d.parked ? (
                  "When the webhook is enabled again"
                ) : d.inFlight ? (
                  "Sending now"
                ) : (
                  <span data-testid="next-attempt">
                    <Timestamp value={d.nextAttemptAt} dueText="Retrying now" />
                    {d.nextAttemptAt ? (
                      <span className="text-muted">
                        {" "}
                        · <Timestamp value={d.nextAttemptAt} mode="absolute" />
                      </span>
                    ) : null}
                  </span>
                )}
              </Row>
            ) : (
              <Row label={d.status === "succeeded" ? "Delivered" : "Gave up"}>
                <Timestamp value={d.completedAt} />
              </Row>
            )}
          </dl>
        </CardBody>
      </Card>

      <section aria-labelledby="attempts-heading" className="space-y-3">
        <h2 id="attempts-heading" className="text-base font-semibold">
          Attempts
        </h2>
        {attempts.length === 0 ? (
          <Card>
            <EmptyState
              className="py-8"
              title="Not sent yet"
              text="The first attempt is made within seconds of the event; this page updates by itself."
            />
          </Card>
        ) : (
          [...attempts]
            .map((a, i) => ({ a, i }))
            .reverse()
            .map(({ a, i }) => <Attempt key={a.id} attempt={a} index={i} open={i === attempts.length - 1} />)
        )}
      </section>
    </div>
  );
}
