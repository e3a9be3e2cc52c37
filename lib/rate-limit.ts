import "server-only";
import { sql } from "drizzle-orm";
import { queryRows, type Db } from "@/db/client";

export type RateLimitResult = { allowed: boolean; count: number; retryAfterSeconds: number };

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
  };
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

/** In-process token bucket per key: `ratePerSecond` refill, `burst` capacity. For per-device API limits. */
export class TokenBucket {
  private buckets = new Map<string, { tokens: number; at: number }>();
  constructor(
    private ratePerSecond: number,
    private burst: number,
    private maxKeys = 100_000,
  ) {}

  /** Takes a token; returns 0 when allowed, else the seconds to wait. */
  take(key: string, now: number = Date.now()): number {
    return this.takeWithState(key, now).retryAfterSeconds;
  }

  /**
   * Takes a token and tells what is left, for RateLimit-* headers: `remaining` whole tokens, `resetSeconds` until the
   * bucket is full again, `retryAfterSeconds` 0 when allowed.
   */
  takeWithState(key: string, now: number = Date.now()): { retryAfterSeconds: number; remaining: number; resetSeconds: number; limit: number } {
    let b = this.buckets.get(key);
    if (!b) {
      if (this.buckets.size >= this.maxKeys) this.buckets.clear();
      b = { tokens: this.burst, at: now };
      this.buckets.set(key, b);
    }
    b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.ratePerSecond);
    b.at = now;
    let retryAfterSeconds = 0;
    if (b.tokens >= 1) b.tokens -= 1;
    else retryAfterSeconds = Math.max(1, Math.ceil((1 - b.tokens) / this.ratePerSecond));
    return {
      retryAfterSeconds,
      remaining: Math.floor(b.tokens),
      resetSeconds: Math.ceil((this.burst - b.tokens) / this.ratePerSecond),
      limit: this.burst,
    };
  }
}
