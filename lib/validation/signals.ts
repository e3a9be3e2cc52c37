/** Query of the signal chart and CSV export routes (isomorphic: the device page builds the same ranges). */
import { z } from "zod";
import { SIGNAL_NAME_PATTERN } from "./devices";

export const SIGNAL_RANGES = { "1h": 3_600_000, "24h": 86_400_000, "7d": 7 * 86_400_000 } as const;
export type SignalRange = keyof typeof SIGNAL_RANGES | "custom";
export const MAX_CHART_POINTS = 2_000;
export const DEFAULT_CHART_POINTS = 400;
/** The longest custom range (rows older than SIGNAL_RETENTION_DAYS are gone anyway). */
export const MAX_SPAN_MS = 366 * 86_400_000;

const isoDate = z
  .string()
  .trim()
  .max(40)
  .refine((s) => !Number.isNaN(Date.parse(s)), "must be a date and time (ISO 8601)")
  .transform((s) => new Date(s));

export const signalQuerySchema = z
  .object({
    name: z.string().trim().min(1, "is required").max(64).regex(SIGNAL_NAME_PATTERN, "is not a signal name").optional(),
    range: z.enum(["1h", "24h", "7d", "custom"]).default("24h"),
    from: isoDate.optional(),
    to: isoDate.optional(),
    points: z.coerce.number().int("must be a whole number").min(2).max(MAX_CHART_POINTS).default(DEFAULT_CHART_POINTS),
  })
  .superRefine((q, ctx) => {
    if (q.range !== "custom") return;
    if (!q.from) ctx.addIssue({ code: "custom", path: ["from"], message: "is required for a custom range" });
    if (!q.to) ctx.addIssue({ code: "custom", path: ["to"], message: "is required for a custom range" });
    // a field that failed its own check is not a Date here
    if (!(q.from instanceof Date) || !(q.to instanceof Date)) return;
    if (q.from >= q.to) ctx.addIssue({ code: "custom", path: ["to"], message: "must be after from" });
    if (q.to.getTime() - q.from.getTime() > MAX_SPAN_MS)
      ctx.addIssue({ code: "custom", path: ["to"], message: "the range may span at most 366 days" });
  });
export type SignalQuery = z.infer<typeof signalQuerySchema>;

/** The [from, to) window of a query at `now`. */
export function signalWindow(q: SignalQuery, now: Date = new Date()): { from: Date; to: Date } {
  if (q.range === "custom") return { from: q.from!, to: q.to! };
  return { from: new Date(now.getTime() - SIGNAL_RANGES[q.range]), to: now };
}
