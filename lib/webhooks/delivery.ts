import "server-only";
import { inArray } from "drizzle-orm";
import { getDb, type Db } from "@/db/client";
import { webhooks } from "@/db/schema";
import { intEnv } from "@/lib/env";
import { buildEventEnvelope } from "./envelope";
import {
  claimDeliveriesById,
  claimDueDeliveries,
  releaseClaims,
  disableFailingWebhooks,
  writeOutcomes,
  type AttemptRecord,
  type ClaimedRow,
  type RowOutcome,
  type WebhookTally,
} from "./outbox";
import { buildWebhookRequest, maskAuth } from "./request";
import { decideOutcome, disableThresholds, retrySchedule } from "./retry";
import { loadSigningSecrets } from "./secrets";
import { sendAndRecordMs } from "./lease";
import { sendHttpRequest } from "./send";
import { webhookSettingsFromRow } from "./settings";
import { signRequest } from "./signing";
import type { BuiltRequest, SendResult, WebhookSettings } from "./types";

/** An outbox id to claim, or a row its request queued already leased to this process until `leaseUntil` (epoch ms). */
export type FeedItem = number | { row: ClaimedRow; leaseUntil: number };

/**
 * Where a pass gets rows from, instead of the due index: the outbox rows that requests of this process just
 * queued (lib/webhooks/kick.ts). The pass claims ids by id and takes leased rows as they are, as they arrive, and
 * ends when none are left.
 */
export type DeliveryFeed = {
  /** Up to `max` items to deliver next (removed from the feed); empty when none are waiting. */
  take(max: number): FeedItem[];
  /** Calls `listener` when ids arrive; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void;
  /**
   * Called with outbox ids the pass took from this feed and is finished with: outcome written back, given back,
   * skipped (not claimable, too little lease left), or the pass ended. Each id taken is reported once.
   */
  done?(outboxIds: number[]): void;
};

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
  /** Claim the ids this feed hands over instead of scanning for due rows. */
  feed?: DeliveryFeed;
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

// ---------------------------------------------------------------------------------------------------------------
// Webhook contexts: decrypted settings and signing secrets, cached per process. An entry is used while the
// webhook row's version (updated_at, read by the claim itself) is unchanged, for at most CONTEXT_TTL_MS, and never
// past the expiry of a rotated-out secret; saving the webhook or rotating its secret bumps the version.
// ---------------------------------------------------------------------------------------------------------------

type WebhookContext = { settings: WebhookSettings; secrets: string[] } | { error: string };
type CachedContext = { version: number; loadedAt: number; validUntil: number; value: WebhookContext };

const CONTEXT_TTL_MS = 60_000;
const CONTEXT_CACHE_MAX = 2_000;
const g = globalThis as unknown as { __signalpostWebhookContexts?: Map<number, CachedContext> };
const contextCache = (g.__signalpostWebhookContexts ??= new Map());

/** Forgets cached webhook settings and secrets (tests that change them behind the app's back). */
export function clearWebhookContextCache(): void {
  contextCache.clear();
}

function cachedContext(webhookId: number, version: number, now: Date): WebhookContext | null {
  const hit = contextCache.get(webhookId);
  if (!hit || hit.version !== version || now.getTime() >= hit.validUntil) return null;
  if (performance.now() - hit.loadedAt > CONTEXT_TTL_MS) return null;
  return hit.value;
}

const GONE = { error: "the event or webhook no longer exists" } as const;

/**
 * The contexts of the webhooks of claimed rows: from the cache where it holds the version the claim saw, the rest
 * loaded (settings + secrets, two queries) and cached.
 */
async function contextsFor(db: Db, rows: ClaimedRow[], now: Date): Promise<Map<number, WebhookContext>> {
  const out = new Map<number, WebhookContext>();
  const missing: number[] = [];
  for (const r of rows) {
    if (out.has(r.webhookId)) continue;
    const hit = cachedContext(r.webhookId, r.webhookVersion, now);
    if (hit) out.set(r.webhookId, hit);
    else if (!missing.includes(r.webhookId)) missing.push(r.webhookId);
  }
  if (missing.length === 0) return out;
  const [webhookRows, { secrets, changesAt }] = await Promise.all([
    db.select().from(webhooks).where(inArray(webhooks.id, missing)),
    loadSigningSecrets(db, missing, now),
  ]);
  const loadedAt = performance.now();
  for (const w of webhookRows) {
    let value: WebhookContext;
    try {
      const keys = secrets.get(w.id) ?? [];
      value = keys.length ? { settings: webhookSettingsFromRow(w), secrets: keys } : { error: "the webhook has no signing secret" };
    } catch {
      value = { error: "the webhook's stored credentials could not be decrypted (was APP_ENCRYPTION_KEY changed?)" };
    }
    out.set(w.id, value);
    contextCache.delete(w.id);
    contextCache.set(w.id, {
      version: w.updatedAt.getTime(),
      loadedAt,
      validUntil: changesAt.get(w.id)?.getTime() ?? Number.POSITIVE_INFINITY,
      value,
    });
  }
  for (const id of missing) if (!out.has(id)) out.set(id, GONE);
  while (contextCache.size > CONTEXT_CACHE_MAX) contextCache.delete(contextCache.keys().next().value!);
  return out;
}

// ---------------------------------------------------------------------------------------------------------------

/**
 * One delivery pass: lease due outbox rows in batches (or the ids a feed hands over), send them outside any
 * transaction with bounded concurrency (and a per-webhook in-flight cap), write outcomes and attempts back in
 * batches, update webhook failure streaks (auto-disable, 410). Runs until nothing is due or `budgetMs` passes.
 * Safe to run in many processes at once: rows are claimed with FOR UPDATE SKIP LOCKED and leased.
 *
 * The pass is a pipeline driven by events, so the sends never wait on the database: the next claim is fetched
 * while sends run (as soon as fewer than a batch are queued), write-backs run in the background (one at a time,
 * every WRITE_BATCH outcomes or FLUSH_INTERVAL_MS), and a finished send starts the next one at once.
 */
export async function processOutbox(options: ProcessOptions = {}): Promise<ProcessResult> {
  const db = options.db ?? (await getDb());
  return new DeliveryPass(db, options).run();
}

class DeliveryPass {
  private readonly clock: () => Date;
  private readonly batchSize: number;
  private readonly concurrency: number;
  private readonly perWebhookLimit: number;
  private readonly send: (built: BuiltRequest) => Promise<SendResult>;
  private readonly random: () => number;
  private readonly schedule = retrySchedule();
  private readonly thresholds = disableThresholds();
  private readonly leaseMs: number;
  private readonly deadline: number;
  /** Rows of one webhook held in memory at most (queued + in flight); beyond that they go back (see onClaimed). */
  private readonly maxQueuedPerWebhook: number;

  readonly result: ProcessResult = { claimed: 0, succeeded: 0, retried: 0, failed: 0, disabledWebhooks: 0, released: 0 };
  /** Claimed rows waiting for a slot, per webhook, oldest first. */
  private readonly queues = new Map<number, ClaimedRow[]>();
  private queued = 0;
  private readonly inFlight = new Map<number, number>();
  /** Settings and secrets of the webhooks this pass claimed rows of. */
  private readonly contexts = new Map<number, WebhookContext>();
  /** When each webhook last finished a send (for its share of the slots). */
  private readonly lastServed = new Map<number, number>();
  private running = 0;
  private claiming = false;
  /** Release statements in flight (rows given back at the deadline or after a failure). */
  private releasing = 0;
  /** Whether the feed may still hold ids (false once a take came back empty, until ids arrive). */
  private feedWaiting = true;
  /** Set when a claim found fewer due rows than it wanted: the next one waits until then (see RECLAIM_AFTER_MS). */
  private exhaustedUntil = 0;
  /** Webhooks the last short claim passed over (well stocked): once one of them is not, the wait ends at once. */
  private skippedByShortClaim: number[] = [];
  private writing: Promise<void> | null = null;
  private outcomes: RowOutcome[] = [];
  private attempts: AttemptRecord[] = [];
  private tallies = new Map<number, WebhookTally>();
  private lastFlush = performance.now();
  private failure: { error: unknown } | null = null;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  private timerAt = 0;
  private finish!: () => void;
  private unsubscribe: (() => void) | null = null;
  /** Ids taken from the feed and not yet reported done to it. */
  private readonly fromFeed = new Set<number>();

  constructor(
    private readonly db: Db,
    private readonly options: ProcessOptions,
  ) {
    const now = options.now;
    this.clock = typeof now === "function" ? now : now ? () => now : () => new Date();
    this.batchSize = options.batchSize ?? (intEnv("DELIVERY_BATCH_SIZE", 100) || 100);
    this.concurrency = Math.max(1, options.concurrency ?? (intEnv("DELIVERY_CONCURRENCY", 32) || 32));
    this.perWebhookLimit = Math.max(
      1,
      options.perWebhookLimit ?? (intEnv("DELIVERY_MAX_IN_FLIGHT_PER_WEBHOOK", 0) || Math.floor((this.concurrency * 3) / 4)),
    );
    this.send = options.send ?? ((built: BuiltRequest) => sendHttpRequest(built));
    this.random = options.random ?? Math.random;
    const budgetMs = options.budgetMs ?? 10_000;
    // The lease outlives the whole pass: claims stop at the budget, and every send started before it ends within
    // the timeout; 30 s more covers writing back. A crashed worker's rows become due again when it ends.
    this.leaseMs = budgetMs + sendAndRecordMs();
    this.deadline = performance.now() + budgetMs;
    this.maxQueuedPerWebhook = Math.max(this.perWebhookLimit * 4, this.batchSize + this.concurrency);
  }

  async run(): Promise<ProcessResult> {
    try {
      await new Promise<void>((resolve) => {
        this.finish = resolve;
        this.unsubscribe = this.options.feed?.subscribe(() => this.pump()) ?? null;
        this.pump();
      });
      this.unsubscribe?.();
      if (this.timer) clearTimeout(this.timer);
      if (this.writing) await this.writing.catch(() => undefined);
      if (!this.failure) {
        try {
          await this.flush();
        } catch (error) {
          this.failure = { error };
        }
      }
    } finally {
      this.settle([...this.fromFeed]);
    }
    if (this.failure) throw this.failure.error;
    return this.result;
  }

  /** Reports fed ids as done to the feed (see DeliveryFeed.done); ids not from the feed, or reported, are ignored. */
  private settle(ids: Iterable<number>): void {
    if (this.fromFeed.size === 0 || !this.options.feed?.done) return;
    const finished: number[] = [];
    for (const id of ids) if (this.fromFeed.delete(id)) finished.push(id);
    if (finished.length > 0) this.options.feed.done(finished);
  }

  /** Moves the pipeline on: start sends, claim ahead, write back, or end the pass. Called on every event. */
  private pump(): void {
    if (this.stopped) return;
    const pastDeadline = performance.now() >= this.deadline;
    if ((pastDeadline || this.failure) && this.queued > 0) this.releaseQueued();
    this.checkSkippedRoom();
    if (!this.failure) {
      this.startEligible();
      if (!pastDeadline) this.maybeClaim();
      this.maybeFlush();
    }
    const more = !pastDeadline && !this.failure && this.hasMoreToClaim();
    if (!more && !this.claiming && this.running === 0 && this.queued === 0 && this.releasing === 0) {
      this.stopped = true;
      this.finish();
      return;
    }
    this.scheduleWakeUp();
  }

  /** Wakes the pump for the next flush, the end of the budget, or the end of a claim back-off. */
  private scheduleWakeUp(): void {
    const now = performance.now();
    let at = this.deadline;
    if (this.outcomes.length > 0) at = Math.min(at, this.lastFlush + FLUSH_INTERVAL_MS);
    if (this.exhaustedUntil > now) at = Math.min(at, this.exhaustedUntil);
    if (this.timer) {
      if (this.timerAt <= at + 1) return;
      clearTimeout(this.timer);
    }
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.pump();
    }, Math.max(1, at - now));
  }

  private hasMoreToClaim(): boolean {
    return this.options.feed ? this.feedWaiting : performance.now() >= this.exhaustedUntil;
  }

  // --- claiming -------------------------------------------------------------------------------------------------

  private maybeClaim(): void {
    if (this.claiming) return;
    if (!this.options.feed && performance.now() < this.exhaustedUntil) return;
    // Every slot busy and a batch queued: a slot that frees up has rows to start, and fetching more now would fill
    // queues towards their bound. Once a slot idles for want of an eligible row, claims go on below.
    if (this.running >= this.concurrency && this.queued >= this.batchSize) return;
    const eligible = this.eligibleQueued();
    // claim ahead: as soon as fewer than half a batch (or two rounds of slots) can start, fetch the next batch
    if (eligible >= Math.min(this.batchSize, Math.max(this.batchSize / 2, this.concurrency * 2))) return;
    const want = this.batchSize - eligible;
    const now = this.clock();
    let claim: Promise<ClaimedRow[]>;
    let skip: number[] = [];
    if (this.options.feed) {
      const items = this.options.feed.take(want);
      this.feedWaiting = items.length > 0;
      if (items.length === 0) return;
      claim = this.claimFed(items, now);
    } else {
      // Rows of a well-stocked webhook would mostly be given back (see onClaimed), so the claim passes over them:
      // measured with 20,000 rows queued webhook by webhook, 2.6 rows were claimed per delivery without this, 1.2 with.
      skip = this.stockedWebhooks();
      claim = claimDueDeliveries(this.db, {
        now,
        batchSize: want,
        leaseMs: this.leaseMs,
        workerId: this.options.workerId,
        skipWebhookIds: skip,
      });
    }
    this.claiming = true;
    claim
      .then(async (rows) => {
        if (!this.options.feed && rows.length < want) {
          this.exhaustedUntil = performance.now() + RECLAIM_AFTER_MS;
          this.skippedByShortClaim = skip;
        }
        if (rows.length > 0) await this.onClaimed(rows, now);
      })
      .catch((error) => this.fail(error))
      .finally(() => {
        this.claiming = false;
        this.pump();
      });
  }

  /**
   * Claims the fed ids; takes the fed leased rows as claimed while enough of their lease is left to send one and
   * write it back (the rest stay leased, and any worker sends them when the lease ends).
   */
  private async claimFed(items: FeedItem[], now: Date): Promise<ClaimedRow[]> {
    const ids: number[] = [];
    const leased: ClaimedRow[] = [];
    const skipped: number[] = [];
    const enough = now.getTime() + sendAndRecordMs();
    for (const item of items) {
      if (typeof item === "number") ids.push(item);
      else if (item.leaseUntil >= enough) leased.push(item.row);
      else skipped.push(item.row.id);
      this.fromFeed.add(typeof item === "number" ? item : item.row.id);
    }
    this.settle(skipped);
    if (ids.length === 0) return leased;
    const claimed = await claimDeliveriesById(this.db, ids, { now, leaseMs: this.leaseMs, workerId: this.options.workerId });
    const got = new Set(claimed.map((r) => r.id));
    this.settle(ids.filter((id) => !got.has(id)));
    return [...leased, ...claimed];
  }

  private async onClaimed(claimed: ClaimedRow[], now: Date): Promise<void> {
    this.result.claimed += claimed.length;
    try {
      for (const [id, ctx] of await contextsFor(this.db, claimed, now)) this.contexts.set(id, ctx);
    } catch (error) {
      // rows stay leased; they are due again when the lease ends
      this.result.claimed -= claimed.length;
      throw error;
    }
    // A webhook whose rows pile up behind its in-flight cap (a slow endpoint) keeps only a few queued; the rest
    // go back, due in a second, so they do not sit leased while other webhooks wait.
    const overflow: ClaimedRow[] = [];
    for (const r of claimed) {
      const q = this.queues.get(r.webhookId);
      if (this.held(r.webhookId) >= this.maxQueuedPerWebhook) overflow.push(r);
      else {
        if (q) q.push(r);
        else this.queues.set(r.webhookId, [r]);
        this.queued++;
      }
    }
    if (overflow.length > 0) {
      await releaseClaims(this.db, overflow, new Date(now.getTime() + 1_000));
      this.result.claimed -= overflow.length;
      this.result.released += overflow.length;
      this.settle(overflow.map((r) => r.id));
    }
  }

  /** Rows this pass holds for one webhook (queued + in flight). */
  private held(webhookId: number): number {
    return (this.queues.get(webhookId)?.length ?? 0) + (this.inFlight.get(webhookId) ?? 0);
  }

  /**
   * Whether the pass holds at least half the rows it may of a webhook (see maxQueuedPerWebhook): enough to keep
   * its slots busy while a claim runs, so claims pass over its rows.
   */
  private isStocked(webhookId: number): boolean {
    return this.held(webhookId) >= this.maxQueuedPerWebhook / 2;
  }

  private stockedWebhooks(): number[] {
    return [...this.queues.keys()].filter((id) => this.isStocked(id));
  }

  /**
   * Ends the wait after a short claim once a webhook it passed over is no longer well stocked: its rows, which the
   * claim skipped, may be what is due.
   */
  private checkSkippedRoom(): void {
    if (this.skippedByShortClaim.length === 0 || this.exhaustedUntil <= performance.now()) return;
    if (this.skippedByShortClaim.some((id) => !this.isStocked(id))) {
      this.exhaustedUntil = 0;
      this.skippedByShortClaim = [];
    }
  }

  /** Gives back rows claimed but never started (the budget ended, or the pass failed). */
  private releaseQueued(): void {
    const unsent: ClaimedRow[] = [];
    for (const q of this.queues.values()) unsent.push(...q);
    this.queues.clear();
    this.queued = 0;
    this.result.claimed -= unsent.length;
    this.result.released += unsent.length;
    this.releasing++;
    releaseClaims(this.db, unsent, this.clock())
      .then(() => this.settle(unsent.map((r) => r.id)))
      .catch((error) => this.fail(error))
      .finally(() => {
        this.releasing--;
        this.pump();
      });
  }

  private fail(error: unknown): void {
    this.failure ??= { error };
  }

  // --- dispatching ----------------------------------------------------------------------------------------------

  /**
   * A webhook's share of the slots: its cap, lowered to an equal share while several webhooks are active (rows
   * queued or in flight, or a send finished within the last second), so that slow endpoints together cannot hold
   * every slot while a fast one briefly has nothing queued.
   */
  private shareCap(): number {
    const active = new Set<number>(this.inFlight.keys());
    for (const id of this.queues.keys()) active.add(id);
    const recent = performance.now() - SHARE_WINDOW_MS;
    for (const [id, at] of this.lastServed) {
      if (at >= recent) active.add(id);
      else this.lastServed.delete(id);
    }
    return Math.min(this.perWebhookLimit, Math.max(1, Math.ceil(this.concurrency / Math.max(1, active.size))));
  }

  /** Queued rows that could start now (their webhook is under its share); rows stuck behind a slow webhook do not count. */
  private eligibleQueued(): number {
    const cap = this.shareCap();
    let n = 0;
    for (const [id, q] of this.queues) if ((this.inFlight.get(id) ?? 0) < cap) n += q.length;
    return n;
  }

  /** Starts queued rows while slots are free: each goes to the oldest row of the least busy webhook under its share. */
  private startEligible(): void {
    if (this.queued === 0 || this.running >= this.concurrency) return;
    const cap = this.shareCap();
    while (this.running < this.concurrency) {
      let best: number | null = null;
      let bestLoad = cap;
      for (const id of this.queues.keys()) {
        const load = this.inFlight.get(id) ?? 0;
        if (load < bestLoad) {
          best = id;
          bestLoad = load;
          if (load === 0) break;
        }
      }
      if (best === null) return;
      const q = this.queues.get(best)!;
      const row = q.shift()!;
      if (q.length === 0) this.queues.delete(best);
      this.queued--;
      this.start(row);
    }
  }

  private start(row: ClaimedRow): void {
    this.running++;
    this.inFlight.set(row.webhookId, (this.inFlight.get(row.webhookId) ?? 0) + 1);
    this.deliver(row)
      .catch((err) => console.error("[delivery] unexpected error delivering", row.id, err))
      .finally(() => {
        this.running--;
        this.lastServed.set(row.webhookId, performance.now());
        const n = (this.inFlight.get(row.webhookId) ?? 1) - 1;
        if (n <= 0) this.inFlight.delete(row.webhookId);
        else this.inFlight.set(row.webhookId, n);
        this.pump();
      });
  }

  private tally(webhookId: number): WebhookTally {
    let t = this.tallies.get(webhookId);
    if (!t) this.tallies.set(webhookId, (t = { webhookId, failuresAfterLastSuccess: 0, hadSuccess: false, gone: null }));
    return t;
  }

  private async deliver(row: ClaimedRow): Promise<void> {
    const startedAt = this.clock();
    const ctx = (row.event && this.contexts.get(row.webhookId)) || GONE;
    let built: BuiltRequest | null = null;
    let sent: SendResult;
    if ("error" in ctx || !row.event) {
      const error: string = "error" in ctx ? ctx.error : GONE.error;
      sent = { ok: false, status: null, headers: {}, body: "", durationMs: 0, error, errorCode: "network" };
    } else {
      try {
        const envelope = buildEventEnvelope(row.event, { id: ctx.settings.id, name: ctx.settings.name });
        built = signRequest(buildWebhookRequest(ctx.settings, envelope), row.event.id, startedAt, ctx.secrets);
        sent = await this.send(built);
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
    this.recordOutcome(row, startedAt, built, sent);
  }

  private recordOutcome(row: ClaimedRow, startedAt: Date, built: BuiltRequest | null, sent: SendResult): void {
    const now = this.clock();
    const outcome = decideOutcome(sent, row.attempts, now, this.schedule, this.random);
    const t = this.tally(row.webhookId);
    const base = { row, statusCode: sent.status, error: sent.error };
    if (outcome.kind === "succeeded") {
      this.outcomes.push({ ...base, status: "succeeded", nextAttemptAt: null, completedAt: now });
      t.hadSuccess = true;
      t.failuresAfterLastSuccess = 0;
      this.result.succeeded++;
    } else if (outcome.kind === "retry") {
      this.outcomes.push({ ...base, status: "pending", nextAttemptAt: new Date(now.getTime() + outcome.delayMs), completedAt: null });
      this.result.retried++;
      // A delivery counts once toward the failure streak, at its first failed attempt: the streak then dates from
      // when the outage began, and retries of the same delivery do not inflate it.
      if (row.attempts === 1) t.failuresAfterLastSuccess++;
    } else {
      // exhausted, or 410 Gone: this delivery is over (it counted toward the streak at its first failed attempt)
      this.outcomes.push({ ...base, status: "failed", nextAttemptAt: null, completedAt: now });
      if (row.attempts === 1) t.failuresAfterLastSuccess++;
      if (outcome.kind === "gone") t.gone = { status: 410, url: built?.url ?? "" };
      this.result.failed++;
    }
    const shown = built ? maskAuth(built) : null;
    this.attempts.push({
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
    });
  }

  // --- writing back ---------------------------------------------------------------------------------------------

  private maybeFlush(): void {
    if (this.writing || this.outcomes.length === 0) return;
    if (this.outcomes.length < WRITE_BATCH && performance.now() - this.lastFlush < FLUSH_INTERVAL_MS) return;
    this.writing = this.flush()
      .catch((error) => this.fail(error))
      .finally(() => {
        this.writing = null;
        this.pump();
      });
  }

  /** Writes the outcomes, attempts and failure streaks gathered so far (one statement), then disables what must be. */
  private async flush(): Promise<void> {
    this.lastFlush = performance.now();
    if (this.outcomes.length === 0 && this.attempts.length === 0) return;
    const outcomes = this.outcomes;
    const attempts = this.attempts;
    const tallies = [...this.tallies.values()];
    this.outcomes = [];
    this.attempts = [];
    this.tallies = new Map();
    const now = this.clock();
    await writeOutcomes(this.db, outcomes, attempts, tallies, now);
    this.settle(outcomes.map((o) => o.row.id));
    const disabled = await disableFailingWebhooks(this.db, tallies, now, this.thresholds);
    this.result.disabledWebhooks += disabled.length;
  }
}
