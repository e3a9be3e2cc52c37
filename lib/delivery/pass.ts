import "server-only";
import { getDb, type Db } from "@/db/client";
import { allowPrivateUrls, intEnv } from "@/lib/env";
import { buildEventEnvelope } from "@/lib/webhooks/envelope";
import { buildWebhookRequest } from "@/lib/webhooks/request";
import { signRequest } from "@/lib/webhooks/signing";
import type { BuiltRequest, SendResult } from "@/lib/webhooks/types";
import { claimDeliveriesById, claimDueDeliveries, releaseClaims, type ClaimedRow } from "./claim";
import { contextsFor, GONE, type WebhookContext } from "./contexts";
import { recordAttempt } from "@/lib/metrics";
import { sendAndRecordMs, webhookTimeoutMs } from "./lease";
import { emptyTally, settleAttempt } from "./outcome";
import { disableThresholds, retrySchedule } from "./retry";
import { FairScheduler } from "./scheduler";
import { sendHttpRequest, type SendTargets } from "./send";
import { disableFailingWebhooks, writeOutcomes, type AttemptRecord, type RowOutcome, type WebhookTally } from "./write-back";

// The delivery pass: the pipeline that claims rows, sends them and writes the outcomes back. What to send next is
// the scheduler's (scheduler.ts), what an attempt means is outcome.ts's, the webhook settings cache is contexts.ts's.
// Over 350 lines on purpose: it is one event-driven state machine (pump → claim → start → record → flush), and its
// fields are read by every step; split further, each part would need the whole state passed in.

/** An outbox id to claim, or a row its request queued already leased to this process until `leaseUntil` (epoch ms). */
export type FeedItem = number | { row: ClaimedRow; leaseUntil: number };

/**
 * Where a pass gets rows from, instead of the due index: the outbox rows that requests of this process just
 * queued (lib/delivery/kick.ts). The pass claims ids by id and takes leased rows as they are, as they arrive, and
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
  /**
   * Takes back rows this pass took from the feed and did not start before its budget ended, still leased to this
   * process until `leaseUntil`, for the next pass to send at once (instead of releasing them to the database,
   * where they would wait for the next claim of the loop, worker or cron: measured 1–2 s at 1,000 changes/s).
   * They are not reported done; the pass that sends them does.
   */
  giveBack?(items: { row: ClaimedRow; leaseUntil: number }[]): void;
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
  /**
   * Called once when the pass takes no more work (its budget is over, it failed, or it ended); it may still be
   * finishing sends in flight. The in-process dispatcher starts the next pass then, so a slow send never holds
   * back rows that arrive after it (kick.ts).
   */
  onStopTaking?: () => void;
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
/** After a claim came back short, the next one waits this long (the delay of rows given back as overflow). */
const RECLAIM_AFTER_MS = 1_000;

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
  /** Queues, in-flight counts and the fair share of slots. */
  private readonly scheduler: FairScheduler;

  readonly result: ProcessResult = { claimed: 0, succeeded: 0, retried: 0, failed: 0, disabledWebhooks: 0, released: 0 };
  /** Settings and secrets of the webhooks this pass claimed rows of. */
  private readonly contexts = new Map<number, WebhookContext>();
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
  private stoppedTaking = false;
  private pumpQueued = false;
  private timer: NodeJS.Timeout | null = null;
  private timerAt = 0;
  private finish!: () => void;
  private unsubscribe: (() => void) | null = null;
  /** Ids taken from the feed and not yet reported done to it. */
  private readonly fromFeed = new Set<number>();
  /** Until when each row taken from the feed is leased to this process (epoch ms), for giving it back. */
  private readonly fedLeases = new Map<number, number>();

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
    if (options.send) {
      this.send = options.send;
    } else {
      // read once per pass, not per request; a webhook's URL is checked (DNS guard) once per pass too (send.ts)
      const sendOptions = { timeoutMs: webhookTimeoutMs(), guard: { allowPrivate: allowPrivateUrls() }, targets: new Map() as SendTargets };
      this.send = (built: BuiltRequest) => sendHttpRequest(built, sendOptions);
    }
    this.random = options.random ?? Math.random;
    const budgetMs = options.budgetMs ?? 10_000;
    // The lease outlives the whole pass: claims stop at the budget, and every send started before it ends within
    // the timeout; 30 s more covers writing back. A crashed worker's rows become due again when it ends.
    this.leaseMs = budgetMs + sendAndRecordMs();
    this.deadline = performance.now() + budgetMs;
    // Rows of one webhook held in memory at most (queued + in flight); beyond that they go back (see onClaimed).
    const maxHeldPerWebhook = Math.max(this.perWebhookLimit * 4, this.batchSize + this.concurrency);
    this.scheduler = new FairScheduler(this.concurrency, this.perWebhookLimit, maxHeldPerWebhook);
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
    this.stopTaking();
    if (this.failure) throw this.failure.error;
    return this.result;
  }

  /** Tells the caller, once, that this pass takes no more work (see ProcessOptions.onStopTaking). */
  private stopTaking(): void {
    if (this.stoppedTaking) return;
    this.stoppedTaking = true;
    this.options.onStopTaking?.();
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
    if (pastDeadline || this.failure) this.stopTaking();
    if ((pastDeadline || this.failure) && this.scheduler.queued > 0) this.releaseQueued();
    this.checkSkippedRoom();
    if (!this.failure) {
      this.startEligible();
      if (!pastDeadline) this.maybeClaim();
      this.maybeFlush();
    }
    const more = !pastDeadline && !this.failure && this.hasMoreToClaim();
    if (!more && !this.claiming && this.scheduler.running === 0 && this.scheduler.queued === 0 && this.releasing === 0) {
      this.stopped = true;
      this.stopTaking();
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
    if (this.scheduler.running >= this.concurrency && this.scheduler.queued >= this.batchSize) return;
    const eligible = this.scheduler.eligible();
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
      skip = this.scheduler.stockedWebhooks();
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
      else if (item.leaseUntil >= enough) {
        leased.push(item.row);
        this.fedLeases.set(item.row.id, item.leaseUntil);
      } else skipped.push(item.row.id);
      this.fromFeed.add(typeof item === "number" ? item : item.row.id);
    }
    this.settle(skipped);
    if (ids.length === 0) return leased;
    const claimed = await claimDeliveriesById(this.db, ids, { now, leaseMs: this.leaseMs, workerId: this.options.workerId });
    for (const r of claimed) this.fedLeases.set(r.id, now.getTime() + this.leaseMs);
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
    // go back, due in a second, so they do not sit leased while other webhooks wait. Not so for rows from the
    // in-process feed: they are leased to this process and held in its memory either way (the feed is bounded),
    // and given back they waited 1–2 s for another claim while this process could have sent them (measured at
    // 1,000 changes/s to one webhook: BENCHMARKS.md). The scheduler's in-flight cap still protects the endpoint.
    const fed = Boolean(this.options.feed);
    const overflow = claimed.filter((r) => !this.scheduler.offer(r, fed));
    if (overflow.length > 0) {
      await releaseClaims(this.db, overflow, new Date(now.getTime() + 1_000));
      this.result.claimed -= overflow.length;
      this.result.released += overflow.length;
      this.settle(overflow.map((r) => r.id));
    }
  }

  /**
   * Ends the wait after a short claim once a webhook it passed over is no longer well stocked: its rows, which the
   * claim skipped, may be what is due.
   */
  private checkSkippedRoom(): void {
    if (this.skippedByShortClaim.length === 0 || this.exhaustedUntil <= performance.now()) return;
    if (this.skippedByShortClaim.some((id) => !this.scheduler.isStocked(id))) {
      this.exhaustedUntil = 0;
      this.skippedByShortClaim = [];
    }
  }

  /** Gives back rows claimed but never started (the budget ended, or the pass failed). */
  private releaseQueued(): void {
    let unsent = this.scheduler.drain();
    this.result.claimed -= unsent.length;
    // fed rows with enough lease left go back to the feed, in memory, for the next pass (see DeliveryFeed.giveBack)
    const feed = this.options.feed;
    if (feed?.giveBack && !this.failure) {
      const enough = this.clock().getTime() + sendAndRecordMs();
      const handBack: { row: ClaimedRow; leaseUntil: number }[] = [];
      const rest: ClaimedRow[] = [];
      for (const row of unsent) {
        const leaseUntil = this.fedLeases.get(row.id);
        if (leaseUntil !== undefined && leaseUntil >= enough && this.fromFeed.delete(row.id)) handBack.push({ row, leaseUntil });
        else rest.push(row);
      }
      if (handBack.length > 0) feed.giveBack(handBack);
      unsent = rest;
      if (unsent.length === 0) return;
    }
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

  /** Starts queued rows while slots are free (the scheduler picks which). */
  private startEligible(): void {
    for (const row of this.scheduler.takeStartable()) void this.start(row);
  }

  private async start(row: ClaimedRow): Promise<void> {
    try {
      await this.deliver(row);
    } catch (err) {
      console.error("[delivery] unexpected error delivering", row.id, err);
    }
    this.scheduler.finished(row.webhookId);
    this.pumpSoon();
  }

  /**
   * Pumps once after the current I/O phase: the sends that finish in the same event-loop turn (many, under load)
   * share one pump instead of running it each.
   */
  private pumpSoon(): void {
    if (this.pumpQueued) return;
    this.pumpQueued = true;
    setImmediate(() => {
      this.pumpQueued = false;
      this.pump();
    });
  }

  private tally(webhookId: number): WebhookTally {
    let t = this.tallies.get(webhookId);
    if (!t) this.tallies.set(webhookId, (t = emptyTally(webhookId)));
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
        const envelope = buildEventEnvelope(row.event, { id: ctx.settings.id, name: ctx.settings.name }, startedAt);
        built = signRequest(buildWebhookRequest(ctx.settings, envelope), row.event.id, startedAt, ctx.secrets, true);
        sent = await this.send(built);
      } catch (err) {
        sent = {
          ok: false,
          status: null,
          headers: {},
          body: "",
          durationMs: 0,
          error: `could not build the request: ${(err as Error).message}`,
          // a template that does not render will not render on a retry either: the delivery fails for good
          errorCode: built ? "network" : "build",
        };
      }
    }
    this.recordOutcome(row, startedAt, built, sent);
  }

  private recordOutcome(row: ClaimedRow, startedAt: Date, built: BuiltRequest | null, sent: SendResult): void {
    const { outcome, attempt, counter } = settleAttempt({
      row,
      built,
      sent,
      startedAt,
      now: this.clock(),
      tally: this.tally(row.webhookId),
      schedule: this.schedule,
      random: this.random,
    });
    this.outcomes.push(outcome);
    this.attempts.push(attempt);
    this.result[counter]++;
    recordAttempt(counter, built ? sent.durationMs : null, row.event?.createdAt);
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
