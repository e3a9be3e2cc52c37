"use client";

import { useQuery } from "@tanstack/react-query";
import { useEffect, useMemo, useRef, useState } from "react";
import { TimeChart, type ChartSeries } from "@/components/fleet/uplot-chart";
import { Alert, buttonClasses, Card, CardBody, CardHeader, EmptyState, Input, Timestamp, Spinner, Table, TBody, TD, TH, THead, TR, cn } from "@/components/ui";
import { fetchJson, orgApiPath, queryKeys } from "@/components/ui/portal-api";
import type { LatestSignal, NumericSeries, TextSeries } from "@/lib/fleet/signals";
import { MAX_CHART_POINTS, type SignalRange } from "@/lib/validation/signals";

const POLL_MS = 10_000;
const RANGES: Array<{ value: SignalRange; label: string }> = [
  { value: "1h", label: "1 h" },
  { value: "24h", label: "24 h" },
  { value: "7d", label: "7 d" },
  { value: "custom", label: "Custom" },
];

type RangeState = { range: SignalRange; from: string; to: string };

/** datetime-local value (local time, minutes) of a Date. */
function localInput(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function rangeQuery(r: RangeState): string | null {
  if (r.range !== "custom") return `range=${r.range}`;
  const from = new Date(r.from);
  const to = new Date(r.to);
  if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime()) || from >= to) return null;
  return `range=custom&from=${encodeURIComponent(from.toISOString())}&to=${encodeURIComponent(to.toISOString())}`;
}

const display = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));
const fmt = (n: number) => (Number.isInteger(n) ? n.toLocaleString() : n.toLocaleString(undefined, { maximumFractionDigits: 3 }));

/** The width of an element, rounded to 100 px (so resizing does not refetch at every pixel). */
function useWidth() {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(600);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => setWidth(Math.max(100, Math.round(el.clientWidth / 100) * 100));
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  return { ref, width };
}

function NumericChart({ orgSlug, deviceId, name, query }: { orgSlug: string; deviceId: number; name: string; query: string }) {
  const { ref, width } = useWidth();
  // one point per ~2 px of chart at most: downsampled on the server to the chart's width
  const points = Math.min(MAX_CHART_POINTS, Math.max(50, Math.round(width / 2)));
  const { data, error, isFetching } = useQuery({
    queryKey: queryKeys.deviceSignalChart(orgSlug, deviceId, name, [query, points]),
    queryFn: () =>
      fetchJson<NumericSeries>(`${orgApiPath(orgSlug)}/devices/${deviceId}/signals?name=${encodeURIComponent(name)}&${query}&points=${points}`, `signal ${name}`),
    refetchInterval: query.startsWith("range=custom") ? false : POLL_MS,
    staleTime: 0,
  });
  const chart = useMemo(() => {
    const pts = data?.points ?? [];
    const series: ChartSeries[] = [
      { label: "max", color: "#93c5fd", values: pts.map((p) => p.max) },
      { label: "min", color: "#93c5fd", values: pts.map((p) => p.min) },
      { label: "last", color: "#2563eb", values: pts.map((p) => p.last) },
    ];
    const xRange: [number, number] | undefined = data ? [data.from, data.to] : undefined;
    return { x: pts.map((p) => p.t), series, xRange };
  }, [data]);
  return (
    <Card data-testid="signal-chart" data-signal={name} className="min-w-0">
      <CardHeader
        title={<span className="font-mono">{name}</span>}
        actions={
          data?.stats ? (
            <dl className="flex gap-4 text-sm" aria-label={`${name} statistics`}>
              {(["min", "max", "last"] as const).map((k) => (
                <div key={k} className="text-right">
                  <dt className="text-xs uppercase tracking-wide text-muted">{k}</dt>
                  <dd className="font-semibold tabular-nums text-fg" data-testid={`signal-${k}`}>
                    {fmt(data.stats![k])}
                  </dd>
                </div>
              ))}
            </dl>
          ) : isFetching ? (
            <Spinner />
          ) : null
        }
      />
      <CardBody>
        <div ref={ref} className="min-w-0">
          {error ? (
            <Alert tone="danger">{error.message}</Alert>
          ) : chart.x.length === 0 ? (
            <p className="py-8 text-center text-sm text-muted">{data ? "No values in this range." : "Loading…"}</p>
          ) : (
            <TimeChart x={chart.x} series={chart.series} height={180} label={`${name} over time`} testId="signal-plot" xRange={chart.xRange} />
          )}
        </div>
      </CardBody>
    </Card>
  );
}

function Timeline({ orgSlug, deviceId, name, query }: { orgSlug: string; deviceId: number; name: string; query: string }) {
  const { data, error } = useQuery({
    queryKey: queryKeys.deviceSignalChart(orgSlug, deviceId, name, [query, 50]),
    queryFn: () =>
      fetchJson<TextSeries>(`${orgApiPath(orgSlug)}/devices/${deviceId}/signals?name=${encodeURIComponent(name)}&${query}&points=50`, `signal ${name}`),
    refetchInterval: query.startsWith("range=custom") ? false : POLL_MS,
    staleTime: 0,
  });
  return (
    <Card data-testid="signal-timeline" data-signal={name} className="min-w-0">
      <CardHeader title={<span className="font-mono">{name}</span>} description="Changes of value in the range." />
      <CardBody>
        {error ? (
          <Alert tone="danger">{error.message}</Alert>
        ) : !data || data.changes.length === 0 ? (
          <p className="py-4 text-center text-sm text-muted">{data ? "No values in this range." : "Loading…"}</p>
        ) : (
          <ol className="flex flex-wrap gap-2">
            {data.truncated ? <li className="text-xs text-muted">… earlier changes</li> : null}
            {data.changes.map((c) => (
              <li key={c.t} className="rounded-md border border-line bg-subtle px-2 py-1 text-xs">
                <span className="font-mono text-fg">{display(c.value)}</span>{" "}
                <span className="text-muted">
                  <Timestamp value={c.t} />
                </span>
              </li>
            ))}
          </ol>
        )}
      </CardBody>
    </Card>
  );
}

/**
 * The device's signals: last-known value of each, a chart per numeric signal (1 h / 24 h / 7 d / custom,
 * downsampled on the server, with min/max/last), non-numeric ones as a timeline, and a CSV export of the range.
 */
export function SignalCharts({ orgSlug, deviceId }: { orgSlug: string; deviceId: number }) {
  const [r, setR] = useState<RangeState>(() => {
    const now = new Date();
    return { range: "24h", from: localInput(new Date(now.getTime() - 86_400_000)), to: localInput(now) };
  });
  const query = rangeQuery(r);
  const { data, error } = useQuery({
    queryKey: queryKeys.deviceSignalsLatest(orgSlug, deviceId),
    queryFn: () => fetchJson<{ signals: LatestSignal[] }>(`${orgApiPath(orgSlug)}/devices/${deviceId}/signals`, "signals"),
    refetchInterval: POLL_MS,
    staleTime: 0,
  });
  const latest = data?.signals ?? [];
  const numeric = latest.filter((s) => typeof s.value === "number");
  const other = latest.filter((s) => typeof s.value !== "number");

  return (
    <section className="space-y-4" aria-label="Signals">
      <Card>
        <CardHeader
          title="Signals"
          description="Last-known value of every signal the device reported."
          actions={
            query ? (
              <a className={buttonClasses("secondary", "sm")} href={`${orgApiPath(orgSlug)}/devices/${deviceId}/signals/export?${query}`} download>
                Export CSV
              </a>
            ) : null
          }
        />
        {error ? (
          <div className="p-4">
            <Alert tone="danger">{error.message}</Alert>
          </div>
        ) : latest.length === 0 ? (
          <EmptyState title="No signals yet" text="Values appear here once the device sends signals with its status." />
        ) : (
          <Table aria-label="Last-known signal values">
            <THead>
              <tr>
                <TH>Signal</TH>
                <TH>Value</TH>
                <TH>Received</TH>
              </tr>
            </THead>
            <TBody>
              {latest.map((s) => (
                <TR key={s.name} data-testid="signal-latest" data-signal={s.name}>
                  <TD className="font-mono text-[13px]">{s.name}</TD>
                  <TD className="font-mono text-[13px]">{display(s.value)}</TD>
                  <TD className="whitespace-nowrap text-muted">
                    <Timestamp value={s.at} />
                  </TD>
                </TR>
              ))}
            </TBody>
          </Table>
        )}
      </Card>

      {latest.length > 0 ? (
        <>
          <div className="flex flex-wrap items-end gap-3">
            <div role="group" aria-label="Signal range" className="flex rounded-md border border-line bg-surface p-0.5 shadow-sm">
              {RANGES.map((x) => (
                <button
                  key={x.value}
                  type="button"
                  aria-pressed={r.range === x.value}
                  onClick={() => setR((prev) => ({ ...prev, range: x.value }))}
                  className={cn(
                    "rounded px-3 py-1 text-sm font-medium",
                    r.range === x.value ? "bg-accent text-white" : "text-muted hover:bg-subtle hover:text-fg",
                  )}
                >
                  {x.label}
                </button>
              ))}
            </div>
            {r.range === "custom" ? (
              <>
                <label className="text-sm text-muted">
                  From
                  <Input type="datetime-local" value={r.from} onChange={(e) => setR((p) => ({ ...p, from: e.target.value }))} className="mt-1" />
                </label>
                <label className="text-sm text-muted">
                  To
                  <Input type="datetime-local" value={r.to} onChange={(e) => setR((p) => ({ ...p, to: e.target.value }))} className="mt-1" />
                </label>
                {!query ? <span className="text-sm text-danger">“To” must be after “From”.</span> : null}
              </>
            ) : null}
          </div>
          {query ? (
            <div className="grid min-w-0 grid-cols-1 gap-4 xl:grid-cols-2">
              {numeric.map((s) => (
                <NumericChart key={s.name} orgSlug={orgSlug} deviceId={deviceId} name={s.name} query={query} />
              ))}
              {other.map((s) => (
                <Timeline key={s.name} orgSlug={orgSlug} deviceId={deviceId} name={s.name} query={query} />
              ))}
            </div>
          ) : null}
        </>
      ) : null}
    </section>
  );
}
