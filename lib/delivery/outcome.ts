// What one attempt means, as a pure function: the row's new state, the attempt as logged, and its effect on the
// webhook's failure streak (which leads to auto-disable in write-back.ts). No I/O, no clock of its own: the pass
// hands in the time, the schedule and the random source, so every rule here is unit-tested (tests/delivery/outcome).
import type { AttemptRecord, RowOutcome, WebhookTally } from "./write-back";
import type { ClaimedRow } from "./claim";
import { decideOutcome } from "./retry";
import { maskAuth } from "@/lib/webhooks/request";
import type { BuiltRequest, SendResult } from "@/lib/webhooks/types";

export type AttemptOutcome = {
  outcome: RowOutcome;
  attempt: AttemptRecord;
  /** Which of the pass's counters this attempt adds to. */
  counter: "succeeded" | "retried" | "failed";
};

function needsMask(built: BuiltRequest): boolean {
  if (built.secretNames) return true;
  for (const name in built.headers) if (name.length === 13 && name.toLowerCase() === "authorization") return true;
  return false;
}

/** An empty streak record for a webhook (nothing happened in this batch yet). */
export function emptyTally(webhookId: number): WebhookTally {
  return { webhookId, failuresAfterLastSuccess: 0, hadSuccess: false, gone: null };
}

/**
 * Decides one attempt and records it in `tally`, the webhook's streak for the batch:
 * - 2xx: the delivery succeeded; the streak resets (failures after it count anew).
 * - 410 Gone: the delivery is over and the webhook is to be disabled at once (`tally.gone`).
 * - any other failure: retried on the schedule (or after Retry-After on 429/503), failed for good when the
 *   schedule is exhausted or the retry window (72 h after the event) is over. A delivery counts once toward the streak, at its first failed attempt, so the streak
 *   dates from when the outage began and retries of the same delivery do not inflate it.
 */
export function settleAttempt(args: {
  row: ClaimedRow;
  built: BuiltRequest | null;
  sent: SendResult;
  startedAt: Date;
  now: Date;
  tally: WebhookTally;
  schedule: number[];
  random: () => number;
}): AttemptOutcome {
  const { row, built, sent, startedAt, now, tally } = args;
  const decision = decideOutcome(sent, row.attempts, now, args.schedule, args.random, row.event?.createdAt);
  let outcome: RowOutcome;
  let counter: AttemptOutcome["counter"];
  if (decision.kind === "succeeded") {
    outcome = { row, status: "succeeded", nextAttemptAt: null, statusCode: sent.status, error: sent.error, completedAt: now };
    tally.hadSuccess = true;
    tally.failuresAfterLastSuccess = 0;
    counter = "succeeded";
  } else if (decision.kind === "retry") {
    const nextAttemptAt = new Date(now.getTime() + decision.delayMs);
    outcome = { row, status: "pending", nextAttemptAt, statusCode: sent.status, error: sent.error, completedAt: null };
    if (row.attempts === 1) tally.failuresAfterLastSuccess++;
    counter = "retried";
  } else {
    // exhausted, or 410 Gone: this delivery is over (it counted toward the streak at its first failed attempt)
    outcome = { row, status: "failed", nextAttemptAt: null, statusCode: sent.status, error: sent.error, completedAt: now };
    if (row.attempts === 1) tally.failuresAfterLastSuccess++;
    if (decision.kind === "gone") tally.gone = { status: 410, url: built?.url ?? "" };
    counter = "failed";
  }
  // masked copy only when there is something to mask (Authorization, secret headers or query parameters)
  const shown = built ? (needsMask(built) ? maskAuth(built) : built) : null;
  const attempt: AttemptRecord = {
    orgId: row.orgId,
    outboxId: row.id,
    webhookId: row.webhookId,
    eventId: row.eventId,
    eventType: row.event?.type ?? null,
    isTest: false,
    requestMethod: shown?.method ?? "POST",
    requestUrl: shown?.url ?? "",
    requestHeaders: shown?.headers ?? {},
    requestBody: shown?.body ?? "",
    responseStatus: sent.status,
    responseHeaders: sent.status !== null ? sent.headers : null,
    responseBody: sent.status !== null ? sent.body : null,
    durationMs: sent.durationMs,
    error: sent.error,
    attemptedAt: startedAt,
  };
  return { outcome, attempt, counter };
}
