import "server-only";
import { after } from "next/server";
import type { DeliveryFeed, FeedItem } from "./pass";
import { sendAndRecordMs } from "./lease";
import type { ClaimedRow } from "./claim";

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

/** One kick's rows: settles when the kicked pass is done with all of them (see DeliveryFeed.done). */
type Ticket = { left: number; settle: () => void };

type KickState = {
  running: Promise<void> | null;
  /** An ordinary pass over due rows is wanted after the current one. */
  again: boolean;
  waiting: FeedItem[];
  listeners: Set<() => void>;
  /** The tickets of the outbox ids handed over and not yet done, by id. */
  tickets: Map<number, Ticket[]>;
};
const g = globalThis as unknown as { __signalpostKick?: KickState };
const state: KickState = (g.__signalpostKick ??= { running: null, again: false, waiting: [], listeners: new Set(), tickets: new Map() });

const feedItemId = (item: FeedItem) => (typeof item === "number" ? item : item.row.id);

/** Marks ids done for the kicks that handed them over; a kick whose last id is done settles. */
function settleIds(ids: Iterable<number>): void {
  for (const id of ids) {
    const tickets = state.tickets.get(id);
    if (!tickets) continue;
    state.tickets.delete(id);
    for (const t of tickets) if (--t.left === 0) t.settle();
  }
}

const feed: DeliveryFeed = {
  take: (max) => state.waiting.splice(0, max),
  subscribe(listener) {
    state.listeners.add(listener);
    return () => state.listeners.delete(listener);
  },
  done: settleIds,
};

/** Runs passes until no ids wait and no ordinary pass is wanted; returns the running chain. */
function runKickedPasses(): Promise<void> {
  if (state.running) return state.running;
  state.running = (async () => {
    try {
      const { processOutbox } = await import("./pass");
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
      settleIds(state.waiting.splice(0).map(feedItemId));
      state.again = false;
    } finally {
      state.running = null;
      settleIds([...state.tickets.keys()]);
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
 * The promise settles (never rejects) when the pass is done with these rows.
 */
export function kickLeased(rows: readonly ClaimedRow[], leaseUntil: Date): Promise<void> {
  return enqueue(rows.map((row) => ({ row, leaseUntil: leaseUntil.getTime() })), true);
}

/**
 * Sends the given outbox rows (or, without ids, whatever is due) at once, in this process. Never throws. The
 * promise settles (never rejects) when the pass is done with these rows (without ids: when the passes end).
 */
export function kickDelivery(outboxIds?: readonly number[]): Promise<void> {
  return enqueue(outboxIds ?? []);
}

function enqueue(items: readonly FeedItem[], always = false): Promise<void> {
  let mine: Promise<void> | null = null;
  if (items.length > 0 && (always || state.waiting.length + items.length <= MAX_WAITING)) {
    mine = new Promise<void>((settle) => {
      const ticket: Ticket = { left: items.length, settle };
      for (const item of items) {
        const id = feedItemId(item);
        const tickets = state.tickets.get(id);
        if (tickets) tickets.push(ticket);
        else state.tickets.set(id, [ticket]);
      }
    });
    state.waiting.push(...items);
    for (const listener of state.listeners) listener();
  } else {
    state.again = true;
  }
  // Start now, not in after(): the rows are committed, so the pass need not wait for the response to be flushed.
  const pass = runKickedPasses();
  // after() keeps a serverless invocation alive until its rows are sent and recorded. Only until then: under
  // steady traffic the kicked passes never stop, and waiting for them would keep every request's context alive
  // (measured: the server's heap grew by ~9 MB/s at 200 requests/s, then one long collection stalled it).
  const settled = mine ?? pass;
  try {
    after(() => settled);
  } catch {
    // outside a request scope (scripts, tests, instrumentation): nothing to keep alive
  }
  return settled;
}

/** The kicked pass currently running, if any (tests wait on it). */
export function pendingKick(): Promise<void> | null {
  return state.running;
}
