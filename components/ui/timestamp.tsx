"use client";

import { useEffect, useState } from "react";
import { cn } from "./cn";
import { formatLocal, formatRelative, formatUtc, toDate } from "./format-time";
import { Tooltip } from "./tooltip";
import { useHydrated } from "./use-hydrated";

/** The current time, refreshed every `intervalMs` (relative texts tick with it). */
export function useNow(intervalMs = 15_000): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const t = setInterval(() => setNow(new Date()), intervalMs);
    return () => clearInterval(t);
  }, [intervalMs]);
  return now;
}

export type TimestampProps = {
  value: Date | string | number | null | undefined;
  /** "relative" (default): "3 minutes ago", exact time on hover/focus. "absolute": the exact time, relative on hover/focus. */
  mode?: "relative" | "absolute";
  /** Words before the relative text: "Next attempt" → "Next attempt in 4 minutes". */
  prefix?: string;
  /**
   * For a time in the future that something waits for (a retry): the text once it is due or overdue, instead of
   * "just now" or "2 minutes ago" (e.g. "Retrying now"). Replaces the prefix too.
   */
  dueText?: string;
  /** What shows for a missing value. */
  empty?: string;
  /** false inside a link or button (no nested focusable element); the hint then shows on hover only. */
  focusable?: boolean;
  className?: string;
};

/**
 * The one way to show a point in time: a <time dateTime> whose hint (hover AND keyboard focus) gives the exact time
 * in the viewer's zone and in UTC. Hydration: the server cannot know the viewer's zone, so the hint only exists
 * after mount; the relative text may differ by a tick between server and browser, which is the one mismatch
 * suppressed (on the <time>'s own text only). Absolute mode renders UTC on the server and switches to the
 * viewer's zone after mount.
 */
export function Timestamp({ value, mode = "relative", prefix, dueText, empty = "—", focusable = true, className }: TimestampProps) {
  const now = useNow();
  const mounted = useHydrated();
  const date = toDate(value);
  if (!date) return <span className={cn("text-faint", className)}>{empty}</span>;

  const utc = formatUtc(date);
  const local = mounted ? formatLocal(date) : utc;
  const exact = local === utc || local.endsWith(" UTC") ? utc : `${local}\n${utc}`;
  const relative = formatRelative(date, now);
  const due = dueText !== undefined && date.getTime() - now.getTime() < 5_000;
  const text = due ? dueText : mode === "absolute" ? local : prefix ? `${prefix} ${relative}` : relative;
  const hint = mode === "absolute" ? `${relative[0].toUpperCase()}${relative.slice(1)}\n${exact}` : exact;

  return (
    <Tooltip content={hint} focusable={focusable} className={className}>
      <time dateTime={date.toISOString()} suppressHydrationWarning>
        {text}
      </time>
    </Tooltip>
  );
}
