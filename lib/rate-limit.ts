import "server-only";
import { sql } from "drizzle-orm";
import { queryRows, type Db } from "@/db/client";

export type RateLimitResult = { allowed: boolean; count: number; retryAfterSeconds: number; windowStart: Date };

/**
 * Counts one hit against a fixed window in Postgres (one upsert), so the limit holds across instances.
 * Used for sign-in failures; hot paths use the in-memory TokenBucket instead.
 */
export async function hitRateLimit(
  db: Db,
  key: string,
  limit: number,
  windowSeconds: number,
  now: Date = new Date(),
): Promise<RateLimitResult> {
  const [row] = await queryRows<{ count: number; window_start: string | Date }>(
    db,
    sql`insert into rate_limits (key, window_start, count) values (${key}, ${now.toISOString()}::timestamptz, 1)
        on conflict (key) do update set
          count = case when rate_limits.window_start <= ${now.toISOString()}::timestamptz - make_interval(secs => ${windowSeconds})
                       then 1 else rate_limits.count + 1 end,
          window_start = case when rate_limits.window_start <= ${now.toISOString()}::timestamptz - make_interval(secs => ${windowSeconds})
                       then ${now.toISOString()}::timestamptz else rate_limits.window_start end
        returning count, window_start`,
  );
  const count = Number(row.count);
  const windowEnd = new Date(row.window_start).getTime() + windowSeconds * 1000;
  return {
    allowed: count <= limit,
    count,
    retryAfterSeconds: Math.max(1, Math.ceil((windowEnd - now.getTime()) / 1000)),
    windowStart: new Date(row.window_start),
  };
}

/**
 * Gives back one hit taken by hitRateLimit (an attempt that was refused, or that succeeded and should not count),
 * if its window is still the current one.
 */
export async function releaseRateLimit(db: Db, key: string, windowStart: Date): Promise<void> {
  await db.execute(
    sql`update rate_limits set count = greatest(count - 1, 0)
        where key = ${key} and window_start = ${windowStart.toISOString()}::timestamptz`,
  );
}

/** Reads a window's count without adding to it. */
export async function peekRateLimit(db: Db, key: string, windowSeconds: number, now: Date = new Date()) {
  const [row] = await queryRows<{ count: number; window_start: string | Date }>(
    db,
    sql`select count, window_start from rate_limits where key = ${key}
        and window_start > ${now.toISOString()}::timestamptz - make_interval(secs => ${windowSeconds})`,
  );
  if (!row) return { count: 0, retryAfterSeconds: 0 };
  const windowEnd = new Date(row.window_start).getTime() + windowSeconds * 1000;
  return { count: Number(row.count), retryAfterSeconds: Math.max(1, Math.ceil((windowEnd - now.getTime()) / 1000)) };
}

/** Clears a window (a successful sign-in resets its failure count). */
export async function resetRateLimit(db: Db, key: string): Promise<void> {
  await db.execute(sql`delete from rate_limits where key = ${key}`);
}

/**
 * In-process token bucket per key: `ratePerSecond` refill, `burst` capacity. For per-device API limits and the
 * per-address limits of device-token failures and inbox captures. At most `maxKeys` buckets are kept; past that
 * the least recently used one is evicted (a flood of new keys cannot wipe the buckets of the keys being limited).
 */
export class TokenBucket {
  // Map iteration order is insertion order: a touched key is re-inserted, so the first key is the least recent.
  private buckets = new Map<string, { tokens: number; at: number }>();
  constructor(
    private ratePerSecond: number,
    private burst: number,
    private maxKeys = 100_000,
  ) {}

  /** The key's bucket refilled to `now`, moved to the most-recently-used end (created full when missing). */
  private touch(key: string, now: number) {
    let b = this.buckets.get(key);
    if (b) {
      this.buckets.delete(key);
    } else {
      while (this.buckets.size >= this.maxKeys) {
        const oldest = this.buckets.keys().next();
        if (oldest.done) break;
        this.buckets.delete(oldest.value);
      }
      b = { tokens: this.burst, at: now };
    }
    this.buckets.set(key, b);
    b.tokens = Math.min(this.burst, b.tokens + (Math.max(0, now - b.at) / 1000) * this.ratePerSecond);
    b.at = now;
    return b;
  }

  private wait(tokens: number): number {
    return Math.max(1, Math.ceil((1 - tokens) / this.ratePerSecond));
  }

  /** Takes a token; returns 0 when allowed, else the seconds to wait. */
  take(key: string, now: number = Date.now()): number {
    return this.takeWithState(key, now).retryAfterSeconds;
  }

  /**
   * Takes a token and tells what is left, for RateLimit-* headers: `remaining` whole tokens, `resetSeconds` until the
   * bucket is full again, `retryAfterSeconds` 0 when allowed.
   */
  takeWithState(key: string, now: number = Date.now()): { retryAfterSeconds: number; remaining: number; resetSeconds: number; limit: number } {
    const b = this.touch(key, now);
    let retryAfterSeconds = 0;
    if (b.tokens >= 1) b.tokens -= 1;
    else retryAfterSeconds = this.wait(b.tokens);
    return {
      retryAfterSeconds,
      remaining: Math.floor(b.tokens),
      resetSeconds: Math.ceil((this.burst - b.tokens) / this.ratePerSecond),
      limit: this.burst,
    };
  }

  /** Without taking a token: 0 when a token is available, else the seconds to wait. */
  peek(key: string, now: number = Date.now()): number {
    if (!this.buckets.has(key)) return 0;
    const b = this.touch(key, now);
    return b.tokens >= 1 ? 0 : this.wait(b.tokens);
  }

  /** Number of keys held (tests). */
  get size(): number {
    return this.buckets.size;
  }
}
