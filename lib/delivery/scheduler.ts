// Which claimed row a delivery pass sends next: per-webhook queues, in-flight counts and the fair-share policy.
// Pure bookkeeping (no I/O), so the pass (pass.ts) only asks "what next?" and reports "done".
import type { ClaimedRow } from "./claim";

/** A webhook that finished a send this recently still counts as active when slots are shared out. */
const SHARE_WINDOW_MS = 1_000;

export class FairScheduler {
  /** Claimed rows waiting for a slot, per webhook, oldest first. */
  private readonly queues = new Map<number, ClaimedRow[]>();
  private readonly inFlight = new Map<number, number>();
  /** When each webhook last finished a send (for its share of the slots). */
  private readonly lastServed = new Map<number, number>();
  /** Rows queued (not yet started). */
  queued = 0;
  /** Rows in flight. */
  running = 0;

  constructor(
    /** Requests in flight at most, all webhooks together. */
    readonly concurrency: number,
    /** Requests in flight at most to one webhook, so a slow endpoint cannot take every slot. */
    readonly perWebhookLimit: number,
    /** Rows of one webhook held at most (queued + in flight); the pass gives the rest back. */
    readonly maxHeldPerWebhook: number,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  /**
   * Queues a row, unless its webhook already holds its bound: then false (the caller gives the row back). `always`
   * queues it regardless (rows that are in this process's memory either way, see DeliveryPass.onClaimed).
   */
  offer(row: ClaimedRow, always = false): boolean {
    if (!always && this.held(row.webhookId) >= this.maxHeldPerWebhook) return false;
    const q = this.queues.get(row.webhookId);
    if (q) q.push(row);
    else this.queues.set(row.webhookId, [row]);
    this.queued++;
    return true;
  }

  /** Rows held for one webhook (queued + in flight). */
  held(webhookId: number): number {
    return (this.queues.get(webhookId)?.length ?? 0) + (this.inFlight.get(webhookId) ?? 0);
  }

  /** Whether the pass holds at least half the rows it may of a webhook: enough to keep its slots busy while a claim runs. */
  isStocked(webhookId: number): boolean {
    return this.held(webhookId) >= this.maxHeldPerWebhook / 2;
  }

  /** Webhooks a claim should pass over (their rows would mostly be given back). */
  stockedWebhooks(): number[] {
    return [...this.queues.keys()].filter((id) => this.isStocked(id));
  }

  /**
   * A webhook's share of the slots: its cap, lowered to an equal share while several webhooks are active (rows
   * queued or in flight, or a send finished within the last second), so that slow endpoints together cannot hold
   * every slot while a fast one briefly has nothing queued.
   */
  shareCap(): number {
    const active = new Set<number>(this.inFlight.keys());
    for (const id of this.queues.keys()) active.add(id);
    const recent = this.clock() - SHARE_WINDOW_MS;
    for (const [id, at] of this.lastServed) {
      if (at >= recent) active.add(id);
      else this.lastServed.delete(id);
    }
    return Math.min(this.perWebhookLimit, Math.max(1, Math.ceil(this.concurrency / Math.max(1, active.size))));
  }

  /** Queued rows that could start now (their webhook is under its share); rows stuck behind a slow webhook do not count. */
  eligible(): number {
    const cap = this.shareCap();
    let n = 0;
    for (const [id, q] of this.queues) if ((this.inFlight.get(id) ?? 0) < cap) n += q.length;
    return n;
  }

  /**
   * The rows to start now, while slots are free: each the oldest row of the least busy webhook under its share.
   * Each returned row counts as in flight until `finished` is called for it.
   */
  takeStartable(): ClaimedRow[] {
    const out: ClaimedRow[] = [];
    if (this.queued === 0 || this.running >= this.concurrency) return out;
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
      if (best === null) break;
      const q = this.queues.get(best)!;
      const row = q.shift()!;
      if (q.length === 0) this.queues.delete(best);
      this.queued--;
      this.running++;
      this.inFlight.set(best, (this.inFlight.get(best) ?? 0) + 1);
      out.push(row);
    }
    return out;
  }

  /** A send of this webhook ended (whatever its outcome). */
  finished(webhookId: number): void {
    this.running--;
    this.lastServed.set(webhookId, this.clock());
    const n = (this.inFlight.get(webhookId) ?? 1) - 1;
    if (n <= 0) this.inFlight.delete(webhookId);
    else this.inFlight.set(webhookId, n);
  }

  /** Removes and returns every queued row (the budget ended or the pass failed: they go back to the outbox). */
  drain(): ClaimedRow[] {
    const unsent: ClaimedRow[] = [];
    for (const q of this.queues.values()) unsent.push(...q);
    this.queues.clear();
    this.queued = 0;
    return unsent;
  }
}
