"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useMemo, useState } from "react";
import { DeviceStatusBadge, STATUS_LABELS } from "@/components/devices/status-badge";
import { Alert, Badge, Card, CardBody, CardHeader, EmptyState, Timestamp, cn } from "@/components/ui";
import { fetchJson, orgApiPath, queryKeys } from "@/components/ui/portal-api";
import type { FleetOverview as Overview, HourlyCounts, OverviewDevice, OverviewRange } from "@/lib/fleet/overview";
import { DEVICE_DISPLAY_STATUSES } from "@/lib/validation/devices";
import { CHART_COLORS, TimeChart, type ChartSeries } from "./uplot-chart";

const POLL_MS = 10_000;
const RANGES: Array<{ value: OverviewRange; label: string }> = [
  { value: "24h", label: "24 h" },
  { value: "7d", label: "7 d" },
];
const STATUS_COLORS = {
  online: "#16a34a",
  offline: "#6b7280",
  utilizing: "#2563eb",
  unplugged: "#d97706",
  never_connected: "#a1a1aa",
} as const;

/** Hourly counts → chart series, one per key, in a stable order. */
function hourlySeries(data: HourlyCounts, colors?: Record<string, string>, bars = false): ChartSeries[] {
  return Object.keys(data.series)
    .sort()
    .map((k, i) => ({ label: k, color: colors?.[k] ?? CHART_COLORS[i % CHART_COLORS.length], values: data.series[k], bars }));
}

function ChartCard({ title, description, empty, children }: { title: string; description: string; empty: boolean; children: React.ReactNode }) {
  return (
    <Card className="min-w-0">
      <CardHeader title={title} description={description} />
      <CardBody className="min-w-0">
        {empty ? <EmptyState compact title="No data in this range yet" text="Pick a longer range, or wait for devices to report: the charts fill hour by hour." /> : children}
      </CardBody>
    </Card>
  );
}

function DeviceLinks({ orgSlug, devices, empty, when }: { orgSlug: string; devices: OverviewDevice[]; empty: string; when: "lastSeen" | "created" }) {
  if (devices.length === 0) return <EmptyState compact title={empty} />;
  return (
    <ul className="divide-y divide-line">
      {devices.map((d) => (
        <li key={d.id} className="flex items-center justify-between gap-3 px-5 py-2.5 text-sm">
          <Link href={`/orgs/${orgSlug}/devices/${d.id}`} className="min-w-0 truncate font-medium text-accent underline-offset-2 hover:underline">
            {d.name}
          </Link>
          <span className="shrink-0 text-muted">
            {when === "lastSeen" ? (
              <>
                last seen <Timestamp value={d.lastSeenAt} />
              </>
            ) : (
              <>
                added <Timestamp value={d.createdAt} />
              </>
            )}
          </span>
        </li>
      ))}
    </ul>
  );
}

/**
 * The fleet overview: status counts now and over time, events and deliveries per hour, webhooks needing attention,
 * devices gone offline most recently and devices that never connected. Reads pre-aggregated data, refreshed every
 * 10 s.
 */
export function FleetOverview({ orgSlug, initial }: { orgSlug: string; initial: Overview }) {
  const [range, setRange] = useState<OverviewRange>(initial.range);
  const { data, error } = useQuery({
    queryKey: queryKeys.fleetOverview(orgSlug, range),
    queryFn: () => fetchJson<Overview>(`${orgApiPath(orgSlug)}/fleet?range=${range}`, "the fleet overview"),
    initialData: range === initial.range ? initial : undefined,
    refetchInterval: POLL_MS,
    refetchIntervalInBackground: false,
    staleTime: 0,
  });
  const o = data ?? initial;

  const status = useMemo(() => {
    const x = o.statusSeries.map((p) => p.t);
    const series: ChartSeries[] = (["online", "utilizing", "unplugged", "offline", "never_connected"] as const).map((k) => ({
      label: STATUS_LABELS[k],
      color: STATUS_COLORS[k],
      values: o.statusSeries.map((p) => (k === "never_connected" ? p.neverConnected : p[k])),
    }));
    return { x, series };
  }, [o.statusSeries]);
  const eventSeries = useMemo(() => hourlySeries(o.eventsPerHour), [o.eventsPerHour]);
  const deliverySeries = useMemo(
    () => hourlySeries(o.deliveriesPerHour, { succeeded: "#16a34a", failed: "#dc2626" }, true),
    [o.deliveriesPerHour],
  );
  const total = Object.values(o.counts).reduce((a, b) => a + b, 0);
  const generated = Date.parse(o.generatedAt);
  const xRange = useMemo<[number, number]>(() => [o.from, generated], [o.from, generated]);

  return (
    <div className="space-y-5" data-testid="fleet-overview">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <ul className="grid flex-1 grid-cols-2 gap-2 sm:grid-cols-3 lg:grid-cols-6" aria-label="Devices by status">
          <li className="rounded-md border border-line bg-surface px-3 py-2 shadow-sm">
            <div className="text-xs text-muted">All devices</div>
            <div className="text-xl font-semibold tabular-nums text-fg" data-testid="fleet-count-total">
              {total.toLocaleString()}
            </div>
          </li>
          {DEVICE_DISPLAY_STATUSES.map((s) => (
            <li key={s} className="rounded-md border border-line bg-surface px-3 py-2 shadow-sm">
              <DeviceStatusBadge status={s} />
              <div className="mt-1 text-xl font-semibold tabular-nums text-fg" data-testid={`fleet-count-${s}`}>
                {o.counts[s].toLocaleString()}
              </div>
            </li>
          ))}
        </ul>
        <div role="group" aria-label="Range" className="flex rounded-md border border-line bg-surface p-0.5 shadow-sm">
          {RANGES.map((r) => (
            <button
              key={r.value}
              type="button"
              aria-pressed={range === r.value}
              onClick={() => setRange(r.value)}
              className={cn(
                "rounded px-3 py-1 text-sm font-medium",
                range === r.value ? "bg-accent text-white" : "text-muted hover:bg-subtle hover:text-fg",
              )}
            >
              {r.label}
            </button>
          ))}
        </div>
      </div>

      {error ? (
        <Alert tone="danger" title="Live updates paused">
          {error.message} Retrying…
        </Alert>
      ) : null}

      <ChartCard
        title="Device status over time"
        description="Devices per status, sampled every 5 minutes."
        empty={status.x.length === 0}
      >
        <TimeChart x={status.x} series={status.series} label="Device status over time" testId="chart-status" xRange={xRange} />
      </ChartCard>

      <div className="grid min-w-0 grid-cols-1 gap-5 xl:grid-cols-2">
        <ChartCard title="Events per hour" description="Events recorded, by type." empty={eventSeries.length === 0}>
          <TimeChart x={o.eventsPerHour.hours} series={eventSeries} label="Events per hour by type" testId="chart-events" xRange={xRange} />
        </ChartCard>
        <ChartCard
          title="Deliveries per hour"
          description="Webhook deliveries finished, succeeded or failed, across all webhooks."
          empty={deliverySeries.length === 0}
        >
          <TimeChart x={o.deliveriesPerHour.hours} series={deliverySeries} label="Deliveries per hour" testId="chart-deliveries" xRange={xRange} />
        </ChartCard>
      </div>

      <div className="grid grid-cols-1 gap-5 lg:grid-cols-3">
        <Card>
          <CardHeader title="Webhooks needing attention" description="Disabled, or failing right now." />
          {o.webhooksNeedingAttention.length === 0 ? (
            <p className="px-5 py-6 text-sm text-muted">All webhooks are healthy.</p>
          ) : (
            <ul className="divide-y divide-line" data-testid="fleet-webhooks">
              {o.webhooksNeedingAttention.map((w) => (
                <li key={w.id} className="flex items-center justify-between gap-3 px-5 py-2.5 text-sm">
                  <Link href={`/orgs/${orgSlug}/webhooks/${w.id}`} className="min-w-0 truncate font-medium text-accent underline-offset-2 hover:underline">
                    {w.name}
                  </Link>
                  {w.enabled ? (
                    <Badge tone="warning">{w.consecutiveFailures} failed in a row</Badge>
                  ) : (
                    <Badge tone="danger">Disabled</Badge>
                  )}
                </li>
              ))}
            </ul>
          )}
        </Card>
        <Card>
          <CardHeader title="Recently offline" description="Devices that went quiet most recently." />
          <DeviceLinks orgSlug={orgSlug} devices={o.recentlyOffline} empty="No device is offline." when="lastSeen" />
        </Card>
        <Card>
          <CardHeader title="Never connected" description="Devices that have not reported yet." />
          <DeviceLinks orgSlug={orgSlug} devices={o.neverConnected} empty="Every device has connected." when="created" />
        </Card>
      </div>
    </div>
  );
}
