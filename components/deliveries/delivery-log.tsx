"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Alert, Card, EmptyState, Input, Pagination, Select, Spinner, Table, TBody, TD, TH, THead, Timestamp, TR, Truncate } from "@/components/ui";
import { fetchJson, orgApiPath, queryKeys } from "@/components/ui/portal-api";
import { useDebounced } from "@/components/ui/use-debounced";
import type { DeliveryListItem, DeliveryPage } from "@/lib/delivery/log";
import { DELIVERY_STATUSES, DELIVERY_STATUS_LABELS } from "@/lib/validation/deliveries";
import { RedeliverButton } from "./redeliver-button";
import { DeliveryStatusBadge, ResponseCode } from "./status-badge";

const POLL_MS = 2_000;
const PAGE_SIZE = 50;

type Filters = { status: string; eventType: string; device: string };

async function fetchDeliveries(orgSlug: string, webhookId: number | undefined, f: Filters, before: number | null): Promise<DeliveryPage> {
  const params = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (webhookId) params.set("webhookId", String(webhookId));
  if (f.status) params.set("status", f.status);
  if (f.eventType) params.set("eventType", f.eventType);
  if (f.device) params.set("device", f.device);
  if (before) params.set("before", String(before));
  return fetchJson(`${orgApiPath(orgSlug)}/deliveries?${params}`, "deliveries");
}

/** What happened last, in a few words: the error, or the response code and latency. */
function Outcome({ d }: { d: DeliveryListItem }) {
  if (d.attemptCount === 0 && d.status === "pending") return <span className="text-faint">Not sent yet</span>;
  return (
    <div className="min-w-0">
      <div className="flex items-center gap-2">
        <ResponseCode code={d.lastStatusCode} />
        {d.lastDurationMs != null ? <span className="text-xs text-muted">{d.lastDurationMs} ms</span> : null}
      </div>
      {d.lastError && d.status !== "succeeded" ? (
        <p className="mt-0.5 max-w-[18rem] whitespace-normal break-words text-xs text-danger">
          <Truncate text={d.lastError} max={70} />
        </p>
      ) : null}
    </div>
  );
}

/** When: completion time, or the next attempt for pending deliveries. */
function When({ d }: { d: DeliveryListItem }) {
  if (d.status !== "pending") return <Timestamp value={d.completedAt ?? d.lastAttemptAt} className="text-muted" />;
  if (d.parked) return <span className="text-xs text-muted">Waiting for the webhook to be enabled</span>;
  if (d.inFlight) return <span className="text-xs text-muted">Sending now</span>;
  return (
    <span className="text-xs text-muted">
      {/* "Next attempt in 4 minutes", or "Retrying now" once due (never "Next attempt just now") */}
      <Timestamp value={d.nextAttemptAt} prefix="Next attempt" dueText="Retrying now" />
    </span>
  );
}

/**
 * The delivery log (org-wide, or one webhook's): filters by status, event type and device, live refresh every 2 s,
 * older pages on demand. Each row opens the delivery's page with its attempts.
 */
export function DeliveryLog({
  orgSlug,
  webhookId,
  canModify,
  eventTypes,
  initial,
}: {
  orgSlug: string;
  webhookId?: number;
  canModify: boolean;
  eventTypes: { type: string; description: string }[];
  initial: DeliveryPage;
}) {
  const router = useRouter();
  const [status, setStatus] = useState("");
  const [eventType, setEventType] = useState("");
  const [deviceInput, setDeviceInput] = useState("");
  const device = useDebounced(deviceInput.trim(), 300);
  const [cursors, setCursors] = useState<Array<number | null>>([null]);
  const before = cursors[cursors.length - 1];
  const filters: Filters = { status, eventType, device };
  const unfilteredFirst = !status && !eventType && !device && before === null;

  const { data, error, isFetching } = useQuery({
    queryKey: queryKeys.deliveryList(orgSlug, webhookId ?? null, filters, before),
    queryFn: () => fetchDeliveries(orgSlug, webhookId, filters, before),
    initialData: unfilteredFirst ? initial : undefined,
    placeholderData: keepPreviousData,
    refetchInterval: POLL_MS,
    refetchIntervalInBackground: false,
    staleTime: 0,
  });
  const resetPages = () => setCursors([null]);
  const items = data?.items ?? [];
  const filtered = Boolean(status || eventType || device);
  const base = `/orgs/${orgSlug}/deliveries`;

  return (
    <Card>
      <div className="flex flex-wrap items-end gap-3 border-b border-line px-4 py-3">
        <label className="space-y-1 text-xs font-medium text-muted">
          <span>Status</span>
          <Select
            aria-label="Status"
            value={status}
            onChange={(e) => {
              setStatus(e.target.value);
              resetPages();
            }}
            className="w-40"
          >
            <option value="">All statuses</option>
            {DELIVERY_STATUSES.map((s) => (
              <option key={s} value={s}>
                {DELIVERY_STATUS_LABELS[s]}
              </option>
            ))}
          </Select>
        </label>
        <label className="space-y-1 text-xs font-medium text-muted">
          <span>Event type</span>
          <Select
            aria-label="Event type"
            value={eventType}
            onChange={(e) => {
              setEventType(e.target.value);
              resetPages();
            }}
            className="w-56"
          >
            <option value="">All event types</option>
            {eventTypes.map((t) => (
              <option key={t.type} value={t.type}>
                {t.description} ({t.type})
              </option>
            ))}
          </Select>
        </label>
        <label className="space-y-1 text-xs font-medium text-muted">
          <span>Device (UDID)</span>
          <Input
            aria-label="Device (UDID)"
            value={deviceInput}
            placeholder="e.g. ce0917198075440c057e"
            onChange={(e) => {
              setDeviceInput(e.target.value);
              resetPages();
            }}
            className="w-64 font-mono"
          />
        </label>
        <div className="ml-auto flex h-9 items-center gap-2 text-xs text-muted" aria-live="polite">
          {isFetching ? <Spinner /> : <span className="size-1.5 rounded-full bg-success" aria-hidden="true" />}
          Live
        </div>
      </div>

      {error ? (
        <div className="p-4">
          <Alert tone="danger">{(error as Error).message}</Alert>
        </div>
      ) : null}

      {items.length === 0 && !error ? (
        <EmptyState
          className="py-14"
          title={filtered ? "No deliveries match these filters" : "No deliveries yet"}
          text={
            filtered
              ? "Try another status, event type or device."
              : "When a device changes status, every webhook subscribed to that event gets a delivery, listed here."
          }
        />
      ) : items.length > 0 ? (
        <Table aria-label="Deliveries">
          <THead>
            <tr>
              <TH>Status</TH>
              <TH>Event</TH>
              <TH>Device</TH>
              {webhookId ? null : <TH>Webhook</TH>}
              <TH className="text-right">Attempts</TH>
              <TH>Last response</TH>
              <TH>When</TH>
              {canModify ? <TH><span className="sr-only">Actions</span></TH> : null}
            </tr>
          </THead>
          <TBody>
            {items.map((d) => (
              <TR
                key={d.id}
                data-testid="delivery-row"
                data-status={d.status}
                className="cursor-pointer"
                onClick={() => router.push(`${base}/${d.id}`)}
              >
                <TD>
                  <DeliveryStatusBadge status={d.status} attempts={d.attempts} parked={d.parked} inFlight={d.inFlight} />
                </TD>
                <TD>
                  <Link href={`${base}/${d.id}`} className="font-medium text-accent underline-offset-2 hover:underline" onClick={(e) => e.stopPropagation()}>
                    {eventTypes.find((t) => t.type === d.eventType)?.description ?? d.eventType}
                  </Link>
                  <div className="font-mono text-[11px] text-faint">{d.eventType}</div>
                </TD>
                <TD>
                  {d.deviceUdid ? (
                    <>
                      <div className="max-w-[11rem] truncate">
                        {d.deviceId ? (
                          <Link
                            href={`/orgs/${orgSlug}/devices/${d.deviceId}`}
                            className="text-accent underline-offset-2 hover:underline"
                            onClick={(e) => e.stopPropagation()}
                          >
                            {d.deviceName}
                          </Link>
                        ) : (
                          d.deviceName
                        )}
                      </div>
                      <div className="max-w-[11rem] truncate font-mono text-[11px] text-faint" title={d.deviceUdid}>
                        {d.deviceUdid}
                      </div>
                    </>
                  ) : (
                    <span className="text-faint">—</span>
                  )}
                </TD>
                {webhookId ? null : (
                  <TD>
                    <Link
                      href={`/orgs/${orgSlug}/webhooks/${d.webhookId}`}
                      className="truncate text-accent underline-offset-2 hover:underline"
                      onClick={(e) => e.stopPropagation()}
                    >
                      {d.webhookName}
                    </Link>
                  </TD>
                )}
                <TD className="text-right tabular-nums">{d.attemptCount}</TD>
                <TD>
                  <Outcome d={d} />
                </TD>
                <TD className="whitespace-nowrap">
                  <When d={d} />
                </TD>
                {canModify ? (
                  <TD className="text-right">
                    {d.status === "succeeded" || d.inFlight ? null : (
                      <RedeliverButton orgSlug={orgSlug} deliveryId={d.id} showMessage={false} />
                    )}
                  </TD>
                ) : null}
              </TR>
            ))}
          </TBody>
        </Table>
      ) : null}

      <Pagination
        previous={cursors.length > 1 ? { onClick: () => setCursors((c) => c.slice(0, -1)) } : null}
        next={data?.nextCursor ? { onClick: () => setCursors((c) => [...c, data.nextCursor]) } : null}
        previousLabel="← Newer"
        nextLabel="Older →"
      />
    </Card>
  );
}
