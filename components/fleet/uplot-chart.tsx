"use client";

import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

export type ChartSeries = { label: string; color: string; values: Array<number | null>; fill?: boolean; bars?: boolean };

/** Colours of the charts (fixed, readable on the light surface). */
export const CHART_COLORS = ["#2563eb", "#16a34a", "#d97706", "#dc2626", "#7c3aed", "#0891b2", "#db2777", "#4b5563"];

/**
 * A uPlot time chart that fills its container's width: x in milliseconds, one line (or bar) series each. Rebuilt
 * when the data changes, resized with its container. Renders thousands of points on a canvas cheaply.
 */
export function TimeChart({
  x,
  series,
  height = 200,
  label,
  testId,
  xRange,
}: {
  x: number[];
  series: ChartSeries[];
  height?: number;
  label: string;
  testId?: string;
  /** The x axis' extent (ms), e.g. the whole selected range; by default the data's. */
  xRange?: [number, number];
}) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height,
      ms: 1,
      legend: { show: true },
      cursor: { drag: { x: false, y: false } },
      scales: { x: xRange ? { time: true, range: () => xRange } : { time: true } },
      axes: [{ stroke: "#6b7280", grid: { stroke: "#eef0f3" } }, { stroke: "#6b7280", grid: { stroke: "#eef0f3" }, size: 50 }],
      series: [
        {},
        ...series.map((s) => ({
          label: s.label,
          stroke: s.color,
          width: 1.5,
          fill: s.fill ? `${s.color}22` : undefined,
          points: { show: x.length < 60 },
          paths: s.bars ? uPlot.paths.bars!({ size: [0.6, 40] }) : undefined,
          spanGaps: false,
        })),
      ],
    };
    const plot = new uPlot(opts, [x, ...series.map((s) => s.values)] as uPlot.AlignedData, el);
    const observer = new ResizeObserver(() => plot.setSize({ width: Math.max(200, el.clientWidth), height }));
    observer.observe(el);
    return () => {
      observer.disconnect();
      plot.destroy();
    };
  }, [x, series, height, xRange]);
  return <div ref={ref} role="img" aria-label={label} data-testid={testId} data-points={x.length} className="w-full min-w-0 overflow-hidden" />;
}
