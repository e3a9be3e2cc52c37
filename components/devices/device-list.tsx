"use client";

// Over 350 lines: the device list is one screen whose filters, live polling, keyset pages, table rows and phone cards
// share one state (filters and page cursors); the rows and cards are small components at the end of the file.
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, useRef, useState } from "react";
import { Alert, Badge, Button, ButtonLink, Card, EmptyState, Input, Pagination, Select, Spinner, Table, TBody, TD, TH, THead, Timestamp, TR } from "@/components/ui";
import { fetchJson, orgApiPath, queryKeys } from "@/components/ui/portal-api";
import { useDebounced } from "@/components/ui/use-debounced";
import type { DeviceListPage, DeviceView } from "@/lib/devices/queries";
import { DEVICE_DISPLAY_STATUSES, displayStatus, type DeviceDisplayStatus } from "@/lib/validation/devices";
import { SignalColumnsPicker, useSignalColumns } from "./signal-columns";
import { DeviceStatusBadge, STATUS_LABELS, TagList } from "./status-badge";

export type StatusCounts = Record<DeviceDisplayStatus, number>;

const POLL_MS = 2_500;
/** Per-status counts scan the whole org, so they refresh less often than the visible page. */
const COUNTS_POLL_MS = 10_000;
const PAGE_SIZE = 50;

type Filters = { q: string; status: string; tag: string; config: string };

async function fetchCounts(orgSlug: string): Promise<StatusCounts> {
  return (await fetchJson<{ counts: StatusCounts }>(`${orgApiPath(orgSlug)}/devices?limit=1&counts=1`, "device counts")).counts;
}

async function fetchDevices(orgSlug: string, filters: Filters, after: string | null): Promise<DeviceListPage> {
  const params = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (filters.q) params.set("q", filters.q);
  if (filters.status) params.set("status", filters.status);
  if (filters.tag) params.set("tag", filters.tag);
  if (filters.config) params.set("config", filters.config);
  if (after) params.set("after", after);
  return fetchJson(`${orgApiPath(orgSlug)}/devices?${params}`, "devices");
}

/**
 * The devices table: search by name or UDID, filter by status and tag, keyset pages of 50, and status badges that
 * refresh every 2.5 s without reloading the page.
 */
export function DeviceList({
  orgSlug,
  canModify,
  tags,
  initial,
}: {
  orgSlug: string;
  canModify: boolean;
  tags: string[];
  initial: DeviceListPage & { counts: StatusCounts };
}) {
  const [search, setSearch] = useState("");
  const [status, setStatus] = useState("");
  const [tag, setTag] = useState("");
  const [config, setConfig] = useState("");
  // cursors of the pages before the current one (keyset pagination has no page numbers)
  const [cursors, setCursors] = useState<Array<string | null>>([null]);
  const q = useDebounced(search.trim(), 250);
  const filters: Filters = { q, status, tag, config };
  const after = cursors[cursors.length - 1];
  const isFirstUnfiltered = !q && !status && !tag && !config && after === null;

  const { data, error, isFetching, isPlaceholderData } = useQuery({
    queryKey: queryKeys.deviceList(orgSlug, filters, after),
    queryFn: () => fetchDevices(orgSlug, filters, after),
    initialData: isFirstUnfiltered ? initial : undefined,
    placeholderData: keepPreviousData,
    refetchInterval: POLL_MS,
    refetchIntervalInBackground: false,
    staleTime: 0,
  });

  const { data: counts, refetch: refetchCounts } = useQuery({
    queryKey: queryKeys.deviceCounts(orgSlug),
    queryFn: () => fetchCounts(orgSlug),
    initialData: initial.counts,
    refetchInterval: COUNTS_POLL_MS,
    staleTime: 0,
  });

  // A status change seen on the visible page refreshes the counts at once, so the two never disagree for long.
  const visibleStatuses = data?.devices.map((d) => `${d.id}:${d.status}`).join(",") ?? "";
  const seenStatuses = useRef(visibleStatuses);
  useEffect(() => {
    if (visibleStatuses === seenStatuses.current) return;
    seenStatuses.current = visibleStatuses;
    void refetchCounts();
  }, [visibleStatuses, refetchCounts]);

  const [signalColumns, setSignalColumns] = useSignalColumns();
  const resetPages = () => setCursors([null]);
  const filtered = Boolean(q || status || tag || config);
  const totalDevices = Object.values(counts).reduce((a, b) => a + b, 0);

  if (totalDevices === 0 && !filtered && (data?.devices.length ?? 0) === 0) {
    return (
      <Card>
        <EmptyState
          title="No devices yet"
          text={
            canModify
              ? "Add a device to get its API token. Once it reports its status, it shows up here live."
              : "An owner or admin of this organization can add devices."
          }
          action={
            canModify ? (
              <ButtonLink href={`/orgs/${orgSlug}/devices/new`} variant="primary">
                Add device
              </ButtonLink>
            ) : null
          }
        />
      </Card>
    );
  }

  const devices = data?.devices ?? [];
  return (
    <div className="space-y-4">
      <ul className="flex flex-wrap gap-2" aria-label="Devices by status">
        {DEVICE_DISPLAY_STATUSES.map((s) => (
          <li key={s}>
            <button
              type="button"
              onClick={() => {
                setStatus(status === s ? "" : s);
                resetPages();
              }}
              aria-pressed={status === s}
              className="flex items-center gap-2 rounded-md border border-line bg-surface px-3 py-1.5 text-sm shadow-sm hover:bg-subtle aria-pressed:border-accent aria-pressed:ring-2 aria-pressed:ring-accent/20"
            >
              <DeviceStatusBadge status={s} />
              <span className="font-semibold tabular-nums text-fg" data-testid={`count-${s}`}>
                {counts[s].toLocaleString()}
              </span>
            </button>
          </li>
        ))}
      </ul>

      <Card>
        <div className="flex flex-wrap items-end gap-3 border-b border-line px-4 py-3">
          <div className="w-full flex-1 sm:w-auto sm:min-w-56">
            <label htmlFor="device-search" className="sr-only">
              Search devices
            </label>
            <Input
              id="device-search"
              type="search"
              placeholder="Search by name or UDID"
              value={search}
              onChange={(e) => {
                setSearch(e.target.value);
                resetPages();
              }}
            />
          </div>
          <a
            href={`/api/orgs/${encodeURIComponent(orgSlug)}/devices/export?${new URLSearchParams(Object.entries(filters).filter(([, v]) => v))}`}
            className="order-last text-sm font-medium text-accent hover:underline"
            download
          >
            Export CSV
          </a>
          <div className="w-full sm:w-40">
            <label htmlFor="device-status-filter" className="sr-only">
              Status
            </label>
            <Select
              id="device-status-filter"
              value={status}
              onChange={(e) => {
                setStatus(e.target.value);
                resetPages();
              }}
            >
              <option value="">All statuses</option>
              {DEVICE_DISPLAY_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {STATUS_LABELS[s]}
                </option>
              ))}
            </Select>
          </div>
          <div className="w-full sm:w-44">
            <label htmlFor="device-tag-filter" className="sr-only">
              Tag
            </label>
            <Select
              id="device-tag-filter"
              value={tag}
              onChange={(e) => {
                setTag(e.target.value);
                resetPages();
              }}
            >
              <option value="">All tags</option>
              {tags.map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </Select>
          </div>
          <div className="w-44">
            <label htmlFor="device-config-filter" className="sr-only">
              Configuration
            </label>
            <Select
              id="device-config-filter"
              value={config}
              onChange={(e) => {
                setConfig(e.target.value);
                resetPages();
              }}
            >
              <option value="">Any configuration</option>
              <option value="pending">Config pending</option>
              <option value="failed">Config failed</option>
            </Select>
          </div>
          <SignalColumnsPicker
            available={[...new Set((data?.devices ?? []).flatMap((d) => Object.keys(d.lastSignals ?? {})))]}
            selected={signalColumns}
            onChange={setSignalColumns}
          />
          <div className="flex h-9 w-5 items-center" aria-hidden={!isFetching}>
            {isFetching && isPlaceholderData ? <Spinner /> : null}
          </div>
        </div>

        {error ? (
          <div className="p-4">
            <Alert tone="danger" title="Live updates paused">
              {error.message} Retrying…
            </Alert>
          </div>
        ) : null}

        {devices.length === 0 ? (
          <EmptyState
            title="No devices match"
            text="Try another search, or clear the filters."
            action={
              <Button
                onClick={() => {
                  setSearch("");
                  setStatus("");
                  setTag("");
                  setConfig("");
                  resetPages();
                }}
              >
                Clear filters
              </Button>
            }
          />
        ) : (
          <>
            {/* phones: one card per device (a table would scroll sideways and cut the status off) */}
            <ul aria-label="Devices" className="divide-y divide-line md:hidden">
              {devices.map((d) => (
                <DeviceCard key={d.id} device={d} orgSlug={orgSlug} />
              ))}
            </ul>
            <div className="hidden md:block">
              <Table aria-label="Devices">
                <THead>
                  <tr>
                    <TH>Name</TH>
                    <TH>UDID</TH>
                    <TH>Status</TH>
                    <TH>Last seen</TH>
                    <TH>Firmware</TH>
                    <TH>Config</TH>
                    <TH>Tags</TH>
                    {signalColumns.map((c) => (
                      <TH key={c} className="font-mono">
                        {c}
                      </TH>
                    ))}
                  </tr>
                </THead>
                <TBody>
                  {devices.map((d) => (
                    <DeviceRow key={d.id} device={d} orgSlug={orgSlug} signalColumns={signalColumns} />
                  ))}
                </TBody>
              </Table>
            </div>
          </>
        )}

        <Pagination
          summary={
            data ? (
              <>
                {data.totalCapped ? `${data.total.toLocaleString()}+` : data.total.toLocaleString()}{" "}
                {filtered ? "matching " : ""}
                {data.total === 1 ? "device" : "devices"}
                {cursors.length > 1 ? ` · page ${cursors.length}` : ""}
              </>
            ) : null
          }
          previous={cursors.length > 1 ? { onClick: () => setCursors((c) => c.slice(0, -1)) } : null}
          next={data?.nextCursor ? { onClick: () => setCursors((c) => [...c, data.nextCursor]) } : null}
        />
      </Card>
    </div>
  );
}

function DeviceRow({ device, orgSlug, signalColumns }: { device: DeviceView; orgSlug: string; signalColumns: string[] }) {
  return (
    <TR data-testid="device-row" data-udid={device.udid}>
      <TD className="font-medium">
        <Link href={`/orgs/${orgSlug}/devices/${device.id}`} className="text-accent underline-offset-2 hover:underline">
          {device.name}
        </Link>
      </TD>
      <TD className="max-w-56 truncate font-mono text-xs text-muted" title={device.udid}>
        {device.udid}
      </TD>
      <TD>
        <DeviceStatusBadge status={displayStatus(device)} />
      </TD>
      <TD className="whitespace-nowrap text-muted">
        <Timestamp value={device.lastSeenAt} empty="Never" />
      </TD>
      <TD className="font-mono text-xs text-muted">{device.firmwareVersion ?? <span className="text-faint">—</span>}</TD>
      <TD>
        {device.configState === "failed" ? (
          <Badge tone="danger">Failed</Badge>
        ) : device.configState === "pending" ? (
          <Badge tone="warning">Pending</Badge>
        ) : (
          <span className="text-faint">—</span>
        )}
      </TD>
      <TD>
        <TagList tags={device.tags} />
      </TD>
      {signalColumns.map((c) => {
        const v = device.lastSignals?.[c];
        return (
          <TD key={c} className="font-mono text-xs text-muted" data-testid={`signal-cell-${c}`}>
            {v === undefined ? <span className="text-faint">—</span> : typeof v === "string" ? v : JSON.stringify(v)}
          </TD>
        );
      })}
    </TR>
  );
}

function DeviceCard({ device, orgSlug }: { device: DeviceView; orgSlug: string }) {
  return (
    <li data-testid="device-card" data-udid={device.udid} className="space-y-1.5 px-4 py-3">
      <div className="flex items-start justify-between gap-3">
        <Link href={`/orgs/${orgSlug}/devices/${device.id}`} className="min-w-0 break-words font-medium text-accent underline-offset-2 hover:underline">
          {device.name}
        </Link>
        <DeviceStatusBadge status={device.status} />
      </div>
      <p className="break-all font-mono text-xs text-muted">{device.udid}</p>
      <p className="flex flex-wrap gap-x-3 gap-y-1 text-xs text-muted">
        <span>
          Last seen <Timestamp value={device.lastSeenAt} empty="never" />
        </span>
        {device.firmwareVersion ? <span className="font-mono">{device.firmwareVersion}</span> : null}
      </p>
      {device.tags.length ? <TagList tags={device.tags} /> : null}
    </li>
  );
}
