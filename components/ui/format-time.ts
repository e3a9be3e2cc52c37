const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ["year", 365 * 24 * 3600],
  ["month", 30 * 24 * 3600],
  ["week", 7 * 24 * 3600],
  ["day", 24 * 3600],
  ["hour", 3600],
  ["minute", 60],
  ["second", 1],
];

const rtf = new Intl.RelativeTimeFormat("en", { numeric: "auto" });

/** "3 minutes ago" / "in 5 seconds" for a date relative to `now`; within 5 s: "just now" (past) or "now" (future). */
export function formatRelative(date: Date, now: Date = new Date()): string {
  const diff = Math.round((date.getTime() - now.getTime()) / 1000);
  const abs = Math.abs(diff);
  if (abs < 5) return diff > 0 ? "now" : "just now";
  for (const [unit, seconds] of UNITS) {
    if (abs >= seconds || unit === "second") return rtf.format(Math.round(diff / seconds), unit);
  }
  return rtf.format(diff, "second");
}

/** Full date and time in the viewer's locale and zone, for tooltips ("Dec 2, 2026, 6:28:30 PM"). */
export function formatAbsolute(date: Date): string {
  return date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "medium" });
}

const LOCAL = { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit" } as const;
const utcFormat = new Intl.DateTimeFormat("en-GB", { ...LOCAL, timeZone: "UTC" });

/** The same instant on every machine: "2 Dec 2026, 18:28:30 UTC" (what the server renders; hydration-safe). */
export function formatUtc(date: Date): string {
  return `${utcFormat.format(date)} UTC`;
}

/** In the viewer's zone, with the zone's name: "2 Dec 2026, 19:28:30 CET". Only call in the browser after mount. */
export function formatLocal(date: Date, timeZone?: string): string {
  return new Intl.DateTimeFormat(undefined, { ...LOCAL, timeZoneName: "short", timeZone }).format(date);
}

/** Accepts what server components pass (Date, ISO string, epoch ms); null for nothing or an invalid value. */
export function toDate(value: Date | string | number | null | undefined): Date | null {
  if (value == null) return null;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}
