import "server-only";
import { intEnv } from "@/lib/env";
import type { SendResult } from "@/lib/webhooks/types";

/**
 * 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h (README, "Delivery engine"). The schedule is cut at
 * RETRY_WINDOW_MS after the event: the last wait ends 72 h after the event at the latest, jitter included.
 */
export const DEFAULT_RETRY_SCHEDULE_SECONDS = [5, 300, 1_800, 7_200, 18_000, 36_000, 50_400, 72_000, 86_400];
export const JITTER = 0.2;
/** Retries end within 3 days of the event ("up to 3 days"): no attempt is scheduled later than this after it. */
export const RETRY_WINDOW_MS = 72 * 3_600_000;
export const RETRY_AFTER_MIN_MS = 1_000;
export const RETRY_AFTER_MAX_MS = 3_600_000;

/** Delays between attempts in seconds: WEBHOOK_RETRY_SCHEDULE (comma-separated seconds) or the default. */
export function retrySchedule(): number[] {
  const raw = process.env.WEBHOOK_RETRY_SCHEDULE?.trim();
  if (!raw) return DEFAULT_RETRY_SCHEDULE_SECONDS;
  const parsed = raw.split(",").map((s) => Number(s.trim()));
  if (parsed.some((n) => !Number.isFinite(n) || n < 0)) {
    throw new Error(`WEBHOOK_RETRY_SCHEDULE must be comma-separated seconds, got "${raw}"`);
  }
  return parsed;
}

/** Auto-disable thresholds (WEBHOOK_DISABLE_AFTER_FAILURES, WEBHOOK_DISABLE_AFTER_HOURS). */
export function disableThresholds(): { failures: number; hours: number } {
  return {
    failures: intEnv("WEBHOOK_DISABLE_AFTER_FAILURES", 20),
    hours: intEnv("WEBHOOK_DISABLE_AFTER_HOURS", 24),
  };
}

/**
 * The wait before the next attempt after `attemptsMade` attempts (1-based), with ±20 % jitter so that deliveries
 * failed together do not retry in lockstep; null when the schedule is exhausted.
 */
export function nextRetryDelayMs(attemptsMade: number, schedule = retrySchedule(), random = Math.random): number | null {
  const base = schedule[attemptsMade - 1];
  if (base === undefined) return null;
  const factor = 1 + (random() * 2 - 1) * JITTER;
  return Math.max(0, Math.round(base * 1000 * factor));
}

/** A Retry-After header (seconds or an HTTP date) as a wait in ms, clamped to 1 s – 1 h; null if absent/invalid. */
export function parseRetryAfter(value: string | undefined, now: Date): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  let ms: number;
  if (/^\d+(\.\d+)?$/.test(trimmed)) ms = Number(trimmed) * 1000;
  else {
    const at = Date.parse(trimmed);
    if (Number.isNaN(at)) return null;
    ms = at - now.getTime();
  }
  return Math.min(RETRY_AFTER_MAX_MS, Math.max(RETRY_AFTER_MIN_MS, Math.round(ms)));
}

export type DeliveryOutcome =
  | { kind: "succeeded" }
  /** 410 Gone: the receiver asked us to stop; the webhook is disabled at once. */
  | { kind: "gone" }
  | { kind: "retry"; delayMs: number; retryAfter: boolean }
  | { kind: "failed" };

/**
 * What one attempt means for its delivery (README, "Delivery engine"). With `eventAt`, the retry window applies:
 * a wait that would end more than RETRY_WINDOW_MS after the event is cut to end there, and once that moment has
 * passed the delivery fails (jitter and Retry-After included).
 */
export function decideOutcome(
  result: SendResult,
  attemptsMade: number,
  now: Date,
  schedule = retrySchedule(),
  random = Math.random,
  eventAt?: Date,
): DeliveryOutcome {
  if (result.ok) return { kind: "succeeded" };
  if (result.status === 410) return { kind: "gone" };
  // the request could not be built (a template error, or a render over its budget): the same every time
  if (result.errorCode === "build") return { kind: "failed" };
  const delay = nextRetryDelayMs(attemptsMade, schedule, random);
  if (delay === null) return { kind: "failed" };
  const left = eventAt ? eventAt.getTime() + RETRY_WINDOW_MS - now.getTime() : Infinity;
  if (left <= 0) return { kind: "failed" };
  if (result.status === 429 || result.status === 503) {
    const retryAfter = parseRetryAfter(result.headers["retry-after"], now);
    if (retryAfter !== null) return { kind: "retry", delayMs: Math.min(retryAfter, left), retryAfter: true };
  }
  return { kind: "retry", delayMs: Math.min(delay, left), retryAfter: false };
}
