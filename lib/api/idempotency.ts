import "server-only";
import { createHash } from "node:crypto";
import { sql } from "drizzle-orm";
import { queryRows, type Db } from "@/db/client";

/** How long an Idempotency-Key is remembered. */
export const IDEMPOTENCY_WINDOW_HOURS = 24;
/** A key is 1–255 visible ASCII characters (a UUID is what clients usually send). */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

export function requestFingerprint(method: string, path: string, body: unknown): string {
  return createHash("sha256").update(`${method.toUpperCase()} ${path}\n${JSON.stringify(body ?? null)}`).digest("hex");
}

export type Claim =
  | { kind: "new"; id: number }
  | { kind: "replay"; status: number; body: string; headers: Record<string, string> }
  | { kind: "mismatch" }
  | { kind: "in_progress" };

/**
 * Claims (org, key) for a request. New → the caller runs the request and then `completeIdempotency`. A key seen in the
 * last 24 h for the same request → its stored answer; for another request → mismatch; still running → in_progress.
 * One statement: a row older than the window is taken over as if it were new.
 */
export async function claimIdempotencyKey(db: Db, orgId: number, key: string, fingerprint: string, now = new Date()): Promise<Claim> {
  const at = now.toISOString();
  const [taken] = await queryRows<{ id: number }>(
    db,
    sql`insert into idempotency_keys (org_id, key, request_hash, created_at) values (${orgId}, ${key}, ${fingerprint}, ${at}::timestamptz)
        on conflict (org_id, key) do update
          set request_hash = excluded.request_hash, status = null, response_body = null, response_headers = null, created_at = excluded.created_at
          where idempotency_keys.created_at < ${at}::timestamptz - make_interval(hours => ${IDEMPOTENCY_WINDOW_HOURS})
        returning id`,
  );
  if (taken) return { kind: "new", id: Number(taken.id) };
  const [row] = await queryRows<{ request_hash: string; status: number | null; response_body: string | null; response_headers: Record<string, string> | null }>(
    db,
    sql`select request_hash, status, response_body, response_headers from idempotency_keys where org_id = ${orgId} and key = ${key}`,
  );
  if (!row) return claimIdempotencyKey(db, orgId, key, fingerprint, now); // deleted meanwhile (its request failed): retry
  if (row.request_hash !== fingerprint) return { kind: "mismatch" };
  if (row.status == null) return { kind: "in_progress" };
  return { kind: "replay", status: Number(row.status), body: row.response_body ?? "", headers: row.response_headers ?? {} };
}

/** Stores the answer of a claimed key; answers that are worth retrying (5xx, 429) free the key instead. */
export async function completeIdempotency(db: Db, id: number, status: number, body: string, headers: Record<string, string>): Promise<void> {
  if (status >= 500 || status === 429) {
    await db.execute(sql`delete from idempotency_keys where id = ${id}`);
    return;
  }
  await db.execute(
    sql`update idempotency_keys set status = ${status}, response_body = ${body}, response_headers = ${JSON.stringify(headers)}::jsonb where id = ${id}`,
  );
}

/** Drops keys past the window (called now and then; a stale key is also taken over when reused). */
export async function pruneIdempotencyKeys(db: Db, now = new Date()): Promise<void> {
  await db.execute(
    sql`delete from idempotency_keys where id in (select id from idempotency_keys
        where created_at < ${now.toISOString()}::timestamptz - make_interval(hours => ${IDEMPOTENCY_WINDOW_HOURS}) limit 500)`,
  );
}
