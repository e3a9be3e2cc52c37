import "server-only";
import { inArray } from "drizzle-orm";
import { getDb, type Db } from "@/db/client";
import { events, webhooks } from "@/db/schema";
import { intEnv } from "@/lib/env";
import { buildEventEnvelope } from "./envelope";
import {
  claimDueDeliveries,
  releaseClaims,
  updateWebhookHealth,
  writeOutcomes,
  type AttemptRecord,
  type ClaimedRow,
  type RowOutcome,
  type WebhookTally,
} from "./outbox";
import { buildWebhookRequest, maskAuth } from "./request";
import { decideOutcome, disableThresholds, retrySchedule } from "./retry";
import { getSigningSecrets } from "./secrets";
import { sendHttpRequest, webhookTimeoutMs } from "./send";
import { webhookSettingsFromRow } from "./settings";
import { signRequest } from "./signing";
import type { BuiltRequest, SendResult, StoredEvent, WebhookSettings } from "./types";

export type ProcessOptions = {
  /** The clock: a fixed time (tests) or a function; defaults to the wall clock. */
  now?: Date | (() => Date);
  batchSize?: number;
  concurrency?: number;
  /** Stop claiming new rows after this long; rows already claimed but not started are given back. */
  budgetMs?: number;
  /** At most this many requests in flight to one webhook, so a slow endpoint cannot take every slot. */
  perWebhookLimit?: number;
  workerId?: string;
  db?: Db;
  /** Transport override (tests of crash scenarios); defaults to sendHttpRequest. */
  send?: (built: BuiltRequest) => Promise<SendResult>;
  random?: () => number;
};

export type ProcessResult = {
  claimed: number;
  succeeded: number;
  retried: number;
  failed: number;
  disabledWebhooks: number;
  released: number;
};

const WRITE_BATCH = 200;
const FLUSH_INTERVAL_MS = 100;
/** A webhook that finished a send this recently still counts as active when slots are shared out. */
const SHARE_WINDOW_MS = 1_000;
/** After a claim came back short, the next one waits this long (the delay of rows given back as overflow). */
const RECLAIM_AFTER_MS = 1_000;

type Context = {
  event: StoredEvent;
  settings: WebhookSettings;
  secrets: string[];
};

/** Loads what the claimed rows need (events, webhooks, secrets) in three batched queries. */
async function loadContexts(db: Db, rows: ClaimedRow[], now: Date): Promise<Map<number, Context | string>> {
  const eventIds = [...new Set(rows.map((r) => r.eventId))];
  const webhookIds = [...new Set(rows.map((r) => r.webhookId))];
  const [eventRows, webhookRows, secrets] = await Promise.all([
    db.select().from(events).where(inArray(events.id, eventIds)),
    db.select().from(webhooks).where(inArray(webhooks.id, webhookIds)),
    getSigningSecrets(db, webhookIds, now),
  ]);
  const eventById = new Map(eventRows.map((e) => [e.id, e]));
  const settingsById = new Map<number, WebhookSettings | string>();
  for (const w of webhookRows) {
    try {
      settingsById.set(w.id, webhookSettingsFromRow(w));
    } catch {
      settingsById.set(w.id, "the webhook's stored credentials could not be decrypted (was APP_ENCRYPTION_KEY changed?)");
    }
  }
  const out = new Map<number, Context | string>();
  for (const row of rows) {
    const e = eventById.get(row.eventId);
    const settings = settingsById.get(row.webhookId);
    const keys = secrets.get(row.webhookId) ?? [];
    if (!e || !settings) out.set(row.id, "the event or webhook no longer exists");
    else if (typeof settings === "string") out.set(row.id, settings);
    else if (keys.length === 0) out.set(row.id, "the webhook has no signing secret");
    else {
      out.set(row.id, {
        event: {
          id: e.id,
          orgId: e.orgId,
          type: e.type,
          deviceUdid: e.deviceUdid,
          deviceName: e.deviceName,
          payload: e.payload,
          createdAt: e.createdAt,
        },
        settings,
        secrets: keys,
      });
    }
  }
  return out;
}

/**
 * One delivery pass: lease due outbox rows in batches, send them outside any transaction with bounded
 * concurrency (and a per-webhook in-flight cap), write outcomes and attempts back in batches, update webhook
 * failure streaks (auto-disable, 410). Runs until nothing is due or `budgetMs` passes. Safe to run in many
 * processes at once: rows are claimed with FOR UPDATE SKIP LOCKED and leased.
 */
export async function processOutbox(options: ProcessOptions = {}): Promise<ProcessResult> {
  const db = options.db ?? (await getDb());
  const clock = typeof options.now === "function" ? options.now : options.now ? () => options.now as Date : () => new Date();
  const batchSize = options.batchSize ?? (intEnv("DELIVERY_BATCH_SIZE", 100) || 100);
  const concurrency = Math.max(1, options.concurrency ?? (intEnv("DELIVERY_CONCURRENCY", 32) || 32));
  const perWebhookLimit = Math.max(
    1,
    options.perWebhookLimit ?? (intEnv("DELIVERY_MAX_IN_FLIGHT_PER_WEBHOOK", 0) || Math.floor((concurrency * 3) / 4)),
  );
  const budgetMs = options.budgetMs ?? 10_000;
  const send = options.send ?? ((built: BuiltRequest) => sendHttpRequest(built));
  const random = options.random ?? Math.random;
  const schedule = retrySchedule();
  const thresholds = disableThresholds();
  const timeoutMs = webhookTimeoutMs();
  // The lease outlives the whole pass: claims stop at the budget, and every send started before it ends within
  // the timeout; 30 s more covers writing back. A crashed worker's rows become due again when it ends.
  const leaseMs = budgetMs + timeoutMs + 30_000;
  const deadline = performance.now() + budgetMs;
  // rows of one webhook held in memory at most (queued + in flight); beyond that they go back (see below)
  const maxQueuedPerWebhook = Math.max(perWebhookLimit * 4, batchSize + concurrency);

  const result: ProcessResult = { claimed: 0, succeeded: 0, retried: 0, failed: 0, disabledWebhooks: 0, released: 0 };
  const queue: ClaimedRow[] = [];
  const contexts = new Map<number, Context | string>();
  const inFlight = new Map<number, number>();
  /** When each webhook last finished a send (for its share of the slots). */
  const lastServed = new Map<number, number>();
  const running = new Set<Promise<void>>();
  let outcomes: RowOutcome[] = [];
  let attempts: AttemptRecord[] = [];
  let tallies = new Map<number, WebhookTally>();
  let lastFlush = performance.now();
  // Set when a claim found fewer due rows than it wanted. Rows given back (overflow) come due again a second later,
  // so a long pass (slow endpoints keep it running) looks again after that instead of never: otherwise a busy
  // webhook's overflow waited for the next pass, while the slow ones took its slots.
  let exhaustedUntil = 0;
  // The dispatcher sleeps until a send completes or the flush interval passes (one shared wake-up, rather than
  // racing every in-flight promise on each turn).
  let wake: (() => void) | null = null;
  let signalled = false;
  const signal = () => {
    const w = wake;
    wake = null;
    if (w) w();
    else signalled = true;
  };
  const sleep = () =>
    new Promise<void>((resolve) => {
      if (signalled) {
        signalled = false;
        resolve();
        return;
      }
      const timer = setTimeout(signal, FLUSH_INTERVAL_MS);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const tally = (webhookId: number) => {
    let t = tallies.get(webhookId);
    if (!t) tallies.set(webhookId, (t = { webhookId, failuresAfterLastSuccess: 0, hadSuccess: false, gone: null }));
    return t;
  };

  async function flush() {
    lastFlush = performance.now();
    if (outcomes.length === 0 && attempts.length === 0) return;
    const o = outcomes;
    const a = attempts;
    const t = [...tallies.values()];
    outcomes = [];
    attempts = [];
    tallies = new Map();
    await writeOutcomes(db, o, a);
    const disabled = await updateWebhookHealth(db, t, clock(), thresholds);
    result.disabledWebhooks += disabled.length;
  }

  async function deliver(row: ClaimedRow) {
    const ctx = contexts.get(row.id);
    contexts.delete(row.id);
    const startedAt = clock();
    let built: BuiltRequest | null = null;
    let sent: SendResult;
    if (!ctx || typeof ctx === "string") {
      sent = { ok: false, status: null, headers: {}, body: "", durationMs: 0, error: ctx ?? "could not load the delivery", errorCode: "network" };
    } else {
      try {
        const envelope = buildEventEnvelope(ctx.event, { id: ctx.settings.id, name: ctx.settings.name });
        built = signRequest(buildWebhookRequest(ctx.settings, envelope), ctx.event.id, startedAt, ctx.secrets);
        sent = await send(built);
      } catch (err) {
        sent = {
          ok: false,
          status: null,
          headers: {},
          body: "",
          durationMs: 0,
          error: `could not build the request: ${(err as Error).message}`,
          errorCode: "network",
        };
      }
    }
    const now = clock();
    const outcome = decideOutcome(sent, row.attempts, now, schedule, random);
    const t = tally(row.webhookId);
    const base = { row, statusCode: sent.status, error: sent.error };
    if (outcome.kind === "succeeded") {
      outcomes.push({ ...base, status: "succeeded", nextAttemptAt: null, completedAt: now });
      t.hadSuccess = true;
      t.failuresAfterLastSuccess = 0;
      result.succeeded++;
    } else if (outcome.kind === "retry") {
      outcomes.push({ ...base, status: "pending", nextAttemptAt: new Date(now.getTime() + outcome.delayMs), completedAt: null });
      result.retried++;
      // A delivery counts once toward the failure streak, at its first failed attempt: the streak then dates from
      // when the outage began, and retries of the same delivery do not inflate it.
      if (row.attempts === 1) t.failuresAfterLastSuccess++;
    } else {
      // exhausted, or 410 Gone: this delivery is over (it counted toward the streak at its first failed attempt)
      outcomes.push({ ...base, status: "failed", nextAttemptAt: null, completedAt: now });
      if (row.attempts === 1) t.failuresAfterLastSuccess++;
      if (outcome.kind === "gone") t.gone = { status: 410, url: built?.url ?? "" };
      result.failed++;
    }
    const shown = built ? maskAuth(built) : null;
    attempts.push({
      orgId: row.orgId,
      outboxId: row.id,
      webhookId: row.webhookId,
      eventId: row.eventId,
      eventType: ctx && typeof ctx !== "string" ? ctx.event.type : null,
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
    });
  }

  function start(row: ClaimedRow) {
    inFlight.set(row.webhookId, (inFlight.get(row.webhookId) ?? 0) + 1);
    const p: Promise<void> = deliver(row)
      .catch((err) => console.error("[delivery] unexpected error delivering", row.id, err))
      .finally(() => {
        running.delete(p);
        lastServed.set(row.webhookId, performance.now());
        const n = (inFlight.get(row.webhookId) ?? 1) - 1;
        if (n <= 0) inFlight.delete(row.webhookId);
        else inFlight.set(row.webhookId, n);
        signal();
      });
    running.add(p);
  }

  /**
   * A webhook's share of the slots: its cap, lowered to an equal share while several webhooks are active (rows queued
   * or in flight, or a send finished within the last second), so that slow endpoints together cannot hold every slot
   * while a fast one briefly has nothing queued.
   */
  const shareCap = () => {
    const active = new Set(inFlight.keys());
    for (const r of queue) active.add(r.webhookId);
    const recent = performance.now() - SHARE_WINDOW_MS;
    for (const [id, at] of lastServed) {
      if (at >= recent) active.add(id);
      else lastServed.delete(id);
    }
    return Math.min(perWebhookLimit, Math.max(1, Math.ceil(concurrency / Math.max(1, active.size))));
  };

  /** Starts queued rows while slots are free: each goes to the oldest row of the least busy webhook under its share. */
  function startEligible() {
    const cap = shareCap();
    while (running.size < concurrency) {
      let best = -1;
      let bestLoad = cap;
      for (let i = 0; i < queue.length && bestLoad > 0; i++) {
        const load = inFlight.get(queue[i].webhookId) ?? 0;
        if (load < bestLoad) {
          best = i;
          bestLoad = load;
        }
      }
      if (best < 0) return;
      start(queue.splice(best, 1)[0]);
    }
  }
  /** Queued rows that could start now (their webhook is under its share); rows stuck behind a slow webhook do not count. */
  const eligibleQueued = () => {
    const cap = shareCap();
    return queue.filter((r) => (inFlight.get(r.webhookId) ?? 0) < cap).length;
  };

  for (;;) {
    startEligible();
    const pastDeadline = performance.now() >= deadline;
    const exhausted = performance.now() < exhaustedUntil;
    const eligible = exhausted || pastDeadline ? 0 : eligibleQueued();
    if (!exhausted && !pastDeadline && eligible < batchSize && eligible + running.size < concurrency * 2) {
      const now = clock();
      const want = batchSize - eligible;
      const claimed = await claimDueDeliveries(db, { now, batchSize: want, leaseMs, workerId: options.workerId });
      if (claimed.length < want) exhaustedUntil = performance.now() + RECLAIM_AFTER_MS;
      if (claimed.length > 0) {
        if (outcomes.length >= WRITE_BATCH) await flush();
        result.claimed += claimed.length;
        const loaded = await loadContexts(db, claimed, now);
        for (const [id, ctx] of loaded) contexts.set(id, ctx);
        // A webhook whose rows pile up behind its in-flight cap (a slow endpoint) keeps only a few queued;
        // the rest go back, due in a second, so they do not sit leased while other webhooks wait.
        const perWebhook = new Map<number, number>();
        for (const r of queue) perWebhook.set(r.webhookId, (perWebhook.get(r.webhookId) ?? 0) + 1);
        const overflow: ClaimedRow[] = [];
        for (const r of claimed) {
          const n = (perWebhook.get(r.webhookId) ?? 0) + (inFlight.get(r.webhookId) ?? 0);
          if (n >= maxQueuedPerWebhook) overflow.push(r);
          else {
            perWebhook.set(r.webhookId, (perWebhook.get(r.webhookId) ?? 0) + 1);
            queue.push(r);
          }
        }
        if (overflow.length > 0) {
          await releaseClaims(db, overflow, new Date(now.getTime() + 1_000));
          for (const r of overflow) contexts.delete(r.id);
          result.claimed -= overflow.length;
          result.released += overflow.length;
        }
        continue;
      }
    }
    if (pastDeadline && queue.length > 0) {
      // claimed but never started within the budget: give them back untouched
      const unsent = queue.splice(0, queue.length);
      for (const r of unsent) contexts.delete(r.id);
      await releaseClaims(db, unsent, clock());
      result.claimed -= unsent.length;
      result.released += unsent.length;
    }
    if (running.size === 0) {
      if (queue.length === 0) break;
      continue;
    }
    await sleep();
    if (outcomes.length >= WRITE_BATCH || performance.now() - lastFlush >= FLUSH_INTERVAL_MS) await flush();
  }
  await flush();
  return result;
}
