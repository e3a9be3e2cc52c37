// Issue #22 item 9: "up to 3 days" (Peridio). The whole retry schedule, jitter and Retry-After included, ends
// within 72 h of the event: every retry is scheduled no later than event + 72 h, and none after that moment.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ClaimedRow } from "@/lib/delivery/claim";
import { emptyTally, settleAttempt } from "@/lib/delivery/outcome";
import { DEFAULT_RETRY_SCHEDULE_SECONDS, RETRY_WINDOW_MS } from "@/lib/delivery/retry";
import type { SendResult } from "@/lib/webhooks/types";

const H72 = 72 * 3_600_000;
const eventAt = new Date("2026-12-02T12:00:00Z");
const row = (attempts: number): ClaimedRow => ({
  id: 1,
  orgId: 1,
  eventId: "evt_1",
  webhookId: 1,
  attempts,
  webhookVersion: 1,
  event: { id: "evt_1", orgId: 1, type: "device.status.online", deviceUdid: "u", deviceName: "n", payload: {}, createdAt: eventAt },
});
const failure = (status: number | null, retryAfter?: string): SendResult => ({
  ok: false,
  status,
  headers: retryAfter ? { "retry-after": retryAfter } : {},
  body: "",
  durationMs: 1,
  error: "down",
  errorCode: status === null ? "timeout" : null,
});

/** Runs one delivery that fails every attempt; returns the attempt times and how it ended. */
function failForever(opts: { jitter: number[]; lagsMs: number[]; answers: SendResult[]; firstAfterMs: number }) {
  let at = eventAt.getTime() + opts.firstAfterMs;
  const attempts: number[] = [];
  for (let n = 1; n <= 50; n++) {
    attempts.push(at);
    const now = new Date(at + opts.lagsMs[(n - 1) % opts.lagsMs.length]);
    const r = settleAttempt({
      row: row(n),
      built: null,
      sent: opts.answers[(n - 1) % opts.answers.length],
      startedAt: new Date(at),
      now,
      tally: emptyTally(1),
      schedule: DEFAULT_RETRY_SCHEDULE_SECONDS,
      random: () => opts.jitter[(n - 1) % opts.jitter.length],
    });
    if (r.outcome.status !== "pending") return { attempts, ended: r.outcome.status };
    at = r.outcome.nextAttemptAt!.getTime();
    expect(at).toBeGreaterThan(now.getTime() - 1); // never in the past
  }
  return { attempts, ended: "pending" as const };
}

describe("the retry window", () => {
  it("is 72 h", () => {
    expect(RETRY_WINDOW_MS).toBe(H72);
  });

  it("no retry is ever scheduled more than 72 h after the event, whatever the jitter, send time or Retry-After", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 0.999999, noNaN: true }), { minLength: 1, maxLength: 12 }),
        fc.array(fc.integer({ min: 0, max: 40_000 }), { minLength: 1, maxLength: 12 }),
        fc.array(
          fc.oneof(
            fc.constant(failure(500)),
            fc.constant(failure(null)),
            fc.integer({ min: 1, max: 7_200 }).map((s) => failure(429, String(s))),
            fc.integer({ min: 1, max: 7_200 }).map((s) => failure(503, String(s))),
          ),
          { minLength: 1, maxLength: 12 },
        ),
        fc.integer({ min: 0, max: 10 * 60_000 }),
        (jitter, lagsMs, answers, firstAfterMs) => {
          const { attempts, ended } = failForever({ jitter, lagsMs, answers, firstAfterMs });
          expect(ended).toBe("failed");
          for (const t of attempts) expect(t - eventAt.getTime()).toBeLessThanOrEqual(H72);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("the longest jitter still gets every attempt of the default schedule, the last one cut to end at 72 h", () => {
    const { attempts, ended } = failForever({ jitter: [0.999999], lagsMs: [0], answers: [failure(500)], firstAfterMs: 0 });
    expect(ended).toBe("failed");
    expect(attempts).toHaveLength(DEFAULT_RETRY_SCHEDULE_SECONDS.length + 1);
    expect(attempts.at(-1)! - eventAt.getTime()).toBe(H72);
  });

  it("a first attempt made after the window (the service was down) is not retried", () => {
    const { attempts, ended } = failForever({ jitter: [0.5], lagsMs: [0], answers: [failure(500)], firstAfterMs: H72 + 1 });
    expect(ended).toBe("failed");
    expect(attempts).toHaveLength(1);
  });
});
