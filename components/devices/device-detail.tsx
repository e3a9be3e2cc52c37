"use client";

import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { useActionState, useState, useTransition } from "react";
import { Alert, Button, ButtonLink, Card, CardBody, CardHeader, ConfirmDialog, EmptyState, inTextLinkClass, Modal, Timestamp, Table, TBody, TD, TH, THead, TR } from "@/components/ui";
import { fetchJson, orgApiPath, queryKeys } from "@/components/ui/portal-api";
import { deleteDeviceAction, regenerateTokenAction, type RegeneratedToken } from "@/lib/actions/devices";
import type { ActionState } from "@/lib/actions/safe-action";
import type { DeviceEventView, DeviceView, SignalView } from "@/lib/devices/queries";
import type { DesiredView } from "@/lib/devices/desired-queries";
import { catalogEntry, summarizeEvent } from "@/lib/events/catalog";
import { DesiredConfigCard } from "./desired-config";
import { displayStatus } from "@/lib/validation/devices";
import { SignalCharts } from "./signal-charts";
import { DeviceStatusBadge, TagList } from "./status-badge";
import { TokenReveal } from "./token-reveal";

export type DeviceDetailData = {
  device: DeviceView;
  events: DeviceEventView[];
  signals: SignalView[];
  token: { prefix: string; createdAt: string; lastUsedAt: string | null } | null;
  desired: DesiredView | null;
};

const POLL_MS = 2_500;

async function fetchDetail(orgSlug: string, id: number): Promise<DeviceDetailData> {
  return fetchJson(`${orgApiPath(orgSlug)}/devices/${id}`, "the device");
}

function formatDuration(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

const shortJson = (v: unknown) => {
  const s = JSON.stringify(v);
  return s.length > 80 ? `${s.slice(0, 77)}…` : s;
};

function Fact({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div>
      <dt className="text-xs font-medium uppercase tracking-wide text-muted">{label}</dt>
      <dd className="mt-1 text-sm text-fg">{children}</dd>
    </div>
  );
}

/** The device page: live status and facts, recent events and signals, and (for owners/admins) edit, token and delete. */
export function DeviceDetail({ orgSlug, canModify, initial }: { orgSlug: string; canModify: boolean; initial: DeviceDetailData }) {
  const id = initial.device.id;
  const { data, error } = useQuery({
    queryKey: queryKeys.device(orgSlug, id),
    queryFn: () => fetchDetail(orgSlug, id),
    initialData: initial,
    refetchInterval: POLL_MS,
    staleTime: 0,
  });
  const { device, events, signals, token, desired } = data;

  return (
    <div className="space-y-6">
      {error ? (
        <Alert tone="danger" title="Live updates paused">
          {error.message}
        </Alert>
      ) : null}
      <Card>
        <CardHeader
          title={
            <span className="flex items-center gap-3">
              Status <DeviceStatusBadge status={displayStatus(device)} />
            </span>
          }
          actions={canModify ? <DeviceActions orgSlug={orgSlug} device={device} /> : null}
        />
        <CardBody>
          <dl className="grid grid-cols-2 gap-x-6 gap-y-5 md:grid-cols-4">
            <Fact label="Last seen">
              <Timestamp value={device.lastSeenAt} empty="Never" />
            </Fact>
            <Fact label="First contact">
              <Timestamp value={device.registeredAt} empty="Not yet" />
            </Fact>
            <Fact label="Firmware">
              <span className="font-mono">{device.firmwareVersion ?? "—"}</span>
            </Fact>
            <Fact label="Offline after">{formatDuration(device.offlineAfterSeconds)} without contact</Fact>
            <Fact label="UDID">
              <span className="break-all font-mono text-[13px]">{device.udid}</span>
            </Fact>
            <Fact label="Tags">
              <TagList tags={device.tags} />
            </Fact>
            <Fact label="Token">
              {token ? (
                <span>
                  <span className="font-mono text-[13px]">{token.prefix}…</span>
                  <span className="block text-xs text-muted">
                    {token.lastUsedAt ? (
                      <>
                        used <Timestamp value={token.lastUsedAt} />
                      </>
                    ) : (
                      "never used"
                    )}
                  </span>
                </span>
              ) : (
                "None"
              )}
            </Fact>
            <Fact label="Added to Signalpost">
              <Timestamp value={device.createdAt} />
            </Fact>
            <Fact label="Last address">
              <span className="font-mono text-[13px]" data-testid="device-last-ip">
                {device.lastContactIp ?? "—"}
              </span>
            </Fact>
          </dl>
        </CardBody>
      </Card>

      {desired ? <DesiredConfigCard orgSlug={orgSlug} deviceId={device.id} canModify={canModify} desired={desired} /> : null}

      <SignalCharts orgSlug={orgSlug} deviceId={device.id} />

      {/* minmax(0,1fr): a wide table scrolls inside its card instead of stretching the card past a phone's screen */}
      <div className="grid grid-cols-[minmax(0,1fr)] gap-6 lg:grid-cols-2">
        <Card className="min-w-0">
          <CardHeader
            title="Recent events"
            description={
              <>
                What this device&apos;s webhooks are told, newest first.{" "}
                <Link href={`/orgs/${orgSlug}/events?device=${encodeURIComponent(device.udid)}`} className={inTextLinkClass}>
                  All events of this device
                </Link>
              </>
            }
          />
          {events.length === 0 ? (
            <EmptyState
              title="No events yet"
              text={`Events appear when the device reports a change: POST {"status": "online"} to /api/v1/devices/${device.udid}/status with its token.`}
            />
          ) : (
            <Table aria-label="Recent events">
              <THead>
                <tr>
                  <TH>Event</TH>
                  <TH className="hidden sm:table-cell">Details</TH>
                  <TH>When</TH>
                </tr>
              </THead>
              <TBody>
                {events.map((e) => (
                  <TR key={e.id}>
                    <TD className="min-w-0">
                      <Link href={`/orgs/${orgSlug}/events/${e.id}`} className="font-medium text-accent underline-offset-2 hover:underline">
                        {catalogEntry(e.type)?.description ?? e.type}
                      </Link>
                      <span className="block break-all font-mono text-[11px] text-muted">{e.type}</span>
                      <span className="block break-words text-xs text-muted sm:hidden">{summarizeEvent(e.type, e.data)}</span>
                      <span className="block text-xs">
                        {e.deliveryCount ? (
                          <Link href={`/orgs/${orgSlug}/events/${e.id}#deliveries`} className="text-accent underline-offset-2 hover:underline">
                            {e.deliveryCount} {e.deliveryCount === 1 ? "delivery" : "deliveries"}
                          </Link>
                        ) : (
                          <span className="text-faint">No deliveries</span>
                        )}
                      </span>
                    </TD>
                    <TD className="hidden break-words text-muted sm:table-cell">{summarizeEvent(e.type, e.data)}</TD>
                    <TD className="whitespace-nowrap align-top text-muted">
                      <Timestamp value={e.createdAt} />
                    </TD>
                  </TR>
                ))}
              </TBody>
            </Table>
          )}
        </Card>
        <Card className="min-w-0">
          <CardHeader title="Recent signals" description="Telemetry the device sent, newest first." />
          {signals.length === 0 ? (
            <EmptyState title="No signals yet" text={`To record telemetry, POST {"signals": {...}} to /api/v1/devices/${device.udid}/signals with its token.`} />
          ) : (
            <Table aria-label="Recent signals">
              <THead>
                <tr>
                  <TH>Signal</TH>
                  <TH>Value</TH>
                  <TH>Received</TH>
                </tr>
              </THead>
              <TBody>
                {signals.map((s) => (
                  <TR key={s.id}>
                    <TD className="font-mono text-xs">{s.name}</TD>
                    <TD className="font-mono text-xs">{shortJson(s.value)}</TD>
                    <TD className="whitespace-nowrap text-muted">
                      <Timestamp value={s.receivedAt} />
                    </TD>
                  </TR>
                ))}
              </TBody>
            </Table>
          )}
        </Card>
      </div>
    </div>
  );
}

function DeviceActions({ orgSlug, device }: { orgSlug: string; device: DeviceView }) {
  const [confirm, setConfirm] = useState<"delete" | "token" | null>(null);
  const [tokenState, regenerate, regenerating] = useActionState<ActionState, FormData>(regenerateTokenAction, null);
  const [deleteState, remove, deleting] = useActionState<ActionState, FormData>(deleteDeviceAction, null);
  const [, startTransition] = useTransition();
  const [shownToken, setShownToken] = useState<string | null>(null);
  const issued = tokenState?.ok ? (tokenState.data as RegeneratedToken) : undefined;
  const ref = () => {
    const fd = new FormData();
    fd.set("orgSlug", orgSlug);
    fd.set("deviceId", String(device.id));
    return fd;
  };
  const failure = (tokenState && !tokenState.ok && tokenState.message) || (deleteState && !deleteState.ok && deleteState.message);

  return (
    <>
      <ButtonLink href={`/orgs/${orgSlug}/devices/${device.id}/edit`} size="sm">
        Edit
      </ButtonLink>
      <Button size="sm" onClick={() => setConfirm("token")}>
        Regenerate token
      </Button>
      {/* destructive last, set apart */}
      <span aria-hidden="true" className="mx-1 h-5 w-px self-center bg-line" />
      <Button size="sm" variant="danger" onClick={() => setConfirm("delete")}>
        Delete
      </Button>
      {failure ? <span role="status" className="text-sm text-danger">{failure}</span> : null}

      <ConfirmDialog
        open={confirm === "token"}
        onCancel={() => setConfirm(null)}
        onConfirm={() =>
          startTransition(() => {
            regenerate(ref());
            setConfirm(null);
          })
        }
        pending={regenerating}
        tone="primary"
        title="Regenerate the device token?"
        description={`The current token of ${device.name} stops working immediately. The device must be given the new one.`}
        confirmLabel="Regenerate token"
      />
      <Modal
        open={Boolean(issued && shownToken !== issued.token)}
        onClose={() => issued && setShownToken(issued.token)}
        size="lg"
        title="New device token"
        description="The previous token no longer works."
        footer={
          <Button variant="primary" onClick={() => issued && setShownToken(issued.token)}>
            Done
          </Button>
        }
      >
        {issued ? <TokenReveal udid={issued.udid} token={issued.token} /> : null}
      </Modal>

      <ConfirmDialog
        open={confirm === "delete"}
        onCancel={() => setConfirm(null)}
        onConfirm={() => startTransition(() => remove(ref()))}
        pending={deleting}
        title={`Delete ${device.name}?`}
        description="The device and its token and signals are removed; its events stay in the log. Webhooks receive a device.deleted event. This cannot be undone."
        confirmLabel="Delete"
      />
    </>
  );
}
