// The outcome of one attempt and its effect on the webhook's failure streak (lib/delivery/outcome.ts): pure.
import { describe, expect, it } from "vitest";
import type { ClaimedRow } from "@/lib/delivery/claim";
import { emptyTally, settleAttempt } from "@/lib/delivery/outcome";
import type { BuiltRequest, SendResult } from "@/lib/webhooks/types";

const now = new Date("2026-12-02T12:00:00Z");
const schedule = [5, 300];
const row = (attempts: number): ClaimedRow => ({
  id: 7,
  orgId: 1,
  eventId: "evt_1",
  webhookId: 3,
  attempts,
  webhookVersion: 1,
  event: { id: "evt_1", orgId: 1, type: "device.status.online", deviceUdid: "u", deviceName: "n", payload: {}, createdAt: now },
});
const built: BuiltRequest = {
  method: "POST",
  url: "https://r.example/hook",
  headers: { authorization: "Bearer secret-token-1234", "content-type": "application/json" },
  body: "{}",
};
const answer = (status: number | null, headers: Record<string, string> = {}): SendResult => ({
  ok: status !== null && status >= 200 && status < 300,
  status,
  headers,
  body: "",
  durationMs: 3,
  error: status === null ? "connection refused" : status >= 300 ? `receiver answered HTTP ${status}` : null,
  errorCode: status === null ? "refused" : null,
});
const settle = (attempts: number, sent: SendResult, tally = emptyTally(3)) =>
  ({ ...settleAttempt({ row: row(attempts), built, sent, startedAt: now, now, tally, schedule, random: () => 0.5 }), tally });

describe("settleAttempt", () => {
  it("2xx: succeeded, streak reset, attempt logged with credentials masked", () => {
    const tally = { ...emptyTally(3), failuresAfterLastSuccess: 4 };
    const r = settle(1, answer(204), tally);
    expect(r.counter).toBe("succeeded");
    expect(r.outcome).toMatchObject({ status: "succeeded", completedAt: now, nextAttemptAt: null });
    expect(r.tally).toMatchObject({ hadSuccess: true, failuresAfterLastSuccess: 0 });
    expect(r.attempt.requestHeaders).not.toMatchObject({ authorization: "Bearer secret-token-1234" });
    expect(r.attempt).toMatchObject({ outboxId: 7, webhookId: 3, responseStatus: 204, isTest: false });
  });

  it("a first failure is retried on the schedule and counts once toward the streak", () => {
    const r = settle(1, answer(500));
    expect(r.counter).toBe("retried");
    expect(r.outcome.status).toBe("pending");
    expect(r.outcome.nextAttemptAt!.getTime() - now.getTime()).toBe(5_000); // random 0.5 → no jitter
    expect(r.tally.failuresAfterLastSuccess).toBe(1);
  });

  it("retries of the same delivery do not add to the streak", () => {
    const r = settle(2, answer(500));
    expect(r.counter).toBe("retried");
    expect(r.tally.failuresAfterLastSuccess).toBe(0);
  });

  it("the schedule exhausted: failed for good, not counted again", () => {
    const r = settle(3, answer(null));
    expect(r.counter).toBe("failed");
    expect(r.outcome).toMatchObject({ status: "failed", completedAt: now });
    expect(r.tally.failuresAfterLastSuccess).toBe(0);
    expect(r.attempt.responseHeaders).toBeNull();
  });

  it("410 Gone: failed at once and the webhook marked for disabling", () => {
    const r = settle(1, answer(410));
    expect(r.counter).toBe("failed");
    expect(r.tally.gone).toEqual({ status: 410, url: built.url });
    expect(r.tally.failuresAfterLastSuccess).toBe(1);
  });

  it("429 with Retry-After waits as asked", () => {
    const r = settle(1, answer(429, { "retry-after": "120" }));
    expect(r.outcome.nextAttemptAt!.getTime() - now.getTime()).toBe(120_000);
  });

  it("a failure after a success in the same batch starts a new streak", () => {
    const tally = emptyTally(3);
    settle(1, answer(200), tally);
    settle(1, answer(500), tally);
    settle(1, answer(502), tally);
    expect(tally).toMatchObject({ hadSuccess: true, failuresAfterLastSuccess: 2 });
  });
});
