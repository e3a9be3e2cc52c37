"use client";

import { useEffect, useState } from "react";
import { formatAbsolute, formatRelative } from "./format-time";

/**
 * A <time> that reads "2 minutes ago" and ticks; the exact time is in the tooltip and the datetime attribute.
 * Accepts a Date, an ISO string or epoch milliseconds (server components pass what they have).
 */
export function RelativeTime({ value, className }: { value: Date | string | number | null | undefined; className?: string }) {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const t = setInterval(() => setNow(new Date()), 15_000);
    return () => clearInterval(t);
  }, []);
  if (value == null) return <span className={className}>—</span>;
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) return <span className={className}>—</span>;
  return (
    <time dateTime={date.toISOString()} title={formatAbsolute(date)} className={className} suppressHydrationWarning>
      {formatRelative(date, now)}
    </time>
  );
}
