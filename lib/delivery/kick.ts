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
 * A pass whose budget is over stops taking work and the next one starts at once, while the old one finishes its
 * sends in flight (see runKickedPasses): a slow endpoint never holds back another webhook's rows.
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
  // rows a pass could not start before its budget ended: first in line for the next pass (their tickets stay open)
  giveBack(items) {
    state.waiting.unshift(...items);
    for (const listener of state.listeners) listener();
  },
};

/**
 * Runs passes until no ids wait, no ordinary pass is wanted and every pass has ended; returns the running chain.
 *
 * A pass that stops taking work (its budget is over) may still have sends in flight to a slow endpoint, for up
 * to the request timeout. The next pass starts then, without waiting for those stragglers: rows that arrive
 * meanwhile are taken and sent at once, so a slow or hanging receiver never delays another webhook's deliveries.
 * At most one fed pass and one ordinary pass take work at a time; the stragglers of earlier passes only finish
 * their sends (each within the timeout).
 */
function runKickedPasses(): Promise<void> {
  if (state.running) return state.running;
  state.running = (async () => {
    const { processOutbox } = await import("./pass");
    const passes = new Set<Promise<void>>();
    let fedTaking = false;
    let dueTaking = false;
    let wake: () => void = () => undefined;
    const listener = () => wake();
    state.listeners.add(listener);
    const start = (fed: boolean) => {
      let stopTaking!: () => void;
      const stoppedTaking = new Promise<void>((resolve) => (stopTaking = resolve));
      if (fed) fedTaking = true;
      else dueTaking = true;
      void stoppedTaking.then(() => {
        if (fed) fedTaking = false;
        else dueTaking = false;
        wake();
      });
      const pass: Promise<void> = processOutbox({ budgetMs: KICK_BUDGET_MS, feed: fed ? feed : undefined, onStopTaking: stopTaking })
        .then(
          () => undefined,
          (err) => {
            console.error("[delivery] kicked pass failed:", err);
            // its rows stay in the outbox (leased ones until their lease ends): the loop, worker or cron sends
            // them. Rows still waiting are another pass's to take (each pass takes, and settles, its own).
            if (!fed) state.again = false;
          },
        )
        .finally(() => {
          stopTaking();
          passes.delete(pass);
          wake();
        });
      passes.add(pass);
    };
    try {
      for (;;) {
        const woken = new Promise<void>((resolve) => (wake = resolve));
        if (!fedTaking && state.waiting.length > 0) start(true);
        if (!dueTaking && state.again) {
          state.again = false;
          start(false);
        }
        if (passes.size === 0 && state.waiting.length === 0 && !state.again) break;
        await woken;
      }
    } finally {
      state.listeners.delete(listener);
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
  if (keepAliveInRequests) {
    try {
      after(() => settled);
    } catch {
      // outside a request scope (scripts, tests, instrumentation): nothing to keep alive
    }
  }
  return settled;
}

let keepAliveInRequests = true;

/**
 * For this copy of the module, kicks never come from inside a Next request (the production server's device fast
 * path, a long-lived process): skip `after()`, which would only throw and catch an error per kick (2 % of that
 * server's CPU at 1,000 reports/s, measured).
 */
export function kickOutsideRequests(): void {
  keepAliveInRequests = false;
}

/** The kicked pass currently running, if any (tests wait on it). */
export function pendingKick(): Promise<void> | null {
  return state.running;
}
