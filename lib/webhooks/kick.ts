import "server-only";
import { after } from "next/server";
import type { DeliveryFeed, FeedItem } from "./delivery";
import { sendAndRecordMs } from "./lease";
import type { ClaimedRow } from "./outbox";

/**
 * Low-latency delivery: a request that just committed events hands the ids of the outbox rows it queued to
 * `kickDelivery(ids)`, and this process sends them at once (Next `after()` keeps the invocation alive): one pass claims
 * them by primary key as they arrive (no scan of the due index, no waiting for a tick), so a receiver hears of a
 * change within milliseconds. While that pass runs, further kicks only add their ids to it.
 *
 * The device API goes one step further: it asks `kickLease()` for a lease and queues its outbox rows already
 * leased to this process (attempts = 1, as a claim would leave them), then hands the rows themselves to
 * `kickLeased`: the pass sends them without a claim statement. A row that waits in memory until too little of its
 * lease is left is dropped, and any worker sends it once the lease ends.
 *
 * A kick without ids (redeliver, replay) runs one ordinary pass over everything due. The embedded loop, the worker
 * and the cron route remain the backstop for retries and for anything a kick missed (the process died, or more
 * ids waited than MAX_WAITING): a lost kick only costs latency, never a delivery, since the rows are in the outbox.
 * EMBEDDED_WORKER=0 does not turn kicks off: it controls the background loop only.
 */

const KICK_BUDGET_MS = 5_000;
/** Ids waiting for the kicked pass at most; beyond that a kick falls back to an ordinary pass over due rows. */
const MAX_WAITING = 10_000;

type KickState = {
  running: Promise<void> | null;
  /** An ordinary pass over due rows is wanted after the current one. */
  again: boolean;
  waiting: FeedItem[];
  listeners: Set<() => void>;
};
const g = globalThis as unknown as { __signalpostKick?: KickState };
const state = (g.__signalpostKick ??= { running: null, again: false, waiting: [], listeners: new Set() });

const feed: DeliveryFeed = {
  take: (max) => state.waiting.splice(0, max),
  subscribe(listener) {
    state.listeners.add(listener);
    return () => state.listeners.delete(listener);
  },
};

/** Runs passes until no ids wait and no ordinary pass is wanted; returns the running chain. */
function runKickedPasses(): Promise<void> {
  if (state.running) return state.running;
  state.running = (async () => {
    try {
      const { processOutbox } = await import("./delivery");
      while (state.waiting.length > 0 || state.again) {
        if (state.waiting.length > 0) {
          await processOutbox({ budgetMs: KICK_BUDGET_MS, feed });
        } else {
          state.again = false;
          await processOutbox({ budgetMs: KICK_BUDGET_MS });
        }
      }
    } catch (err) {
      console.error("[delivery] kicked pass failed:", err);
      // the rows stay in the outbox (leased ones until their lease ends): the loop, worker or cron sends them
      state.waiting.length = 0;
      state.again = false;
    } finally {
      state.running = null;
    }
  })();
  return state.running;
}

/**
 * A lease for outbox rows about to be queued and handed to `kickLeased`, or null when enough rows already wait
 * (queue them unleased then, and kick their ids). Long enough for the rows to wait behind one kicked pass and then
 * be sent and written back within their own.
 */
export function kickLease(now: Date = new Date()): Date | null {
  if (state.waiting.length >= MAX_WAITING) return null;
  return new Date(now.getTime() + 2 * KICK_BUDGET_MS + sendAndRecordMs());
}

/**
 * Sends rows queued leased until `leaseUntil` (see kickLease) at once, in this process. Never throws. Always
 * queued, even past MAX_WAITING (requests that took a lease at the same time): no other pass could send them.
 */
export function kickLeased(rows: readonly ClaimedRow[], leaseUntil: Date): void {
  enqueue(rows.map((row) => ({ row, leaseUntil: leaseUntil.getTime() })), true);
}

/**
 * Sends the given outbox rows (or, without ids, whatever is due) at once, in this process. Never throws.
 */
export function kickDelivery(outboxIds?: readonly number[]): void {
  enqueue(outboxIds ?? []);
}

function enqueue(items: readonly FeedItem[], always = false): void {
  if (items.length > 0 && (always || state.waiting.length + items.length <= MAX_WAITING)) {
    state.waiting.push(...items);
    for (const listener of state.listeners) listener();
  } else {
    state.again = true;
  }
  // Start now, not in after(): the rows are committed, so the pass need not wait for the response to be flushed.
  // after() keeps a serverless invocation alive until the pass ends.
  const pass = runKickedPasses();
  try {
    after(() => pass);
  } catch {
    // outside a request scope (scripts, tests, instrumentation): nothing to keep alive
  }
}

/** The kicked pass currently running, if any (tests wait on it). */
export function pendingKick(): Promise<void> | null {
  return state.running;
}
