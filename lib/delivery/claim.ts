import "server-only";
import { sql, type SQL } from "drizzle-orm";
import { preparedRows, type Db } from "@/db/client";
import type { StoredEvent } from "@/lib/webhooks/types";

/**
 * Claiming outbox rows (leases). Writing outcomes back and parking rows of disabled webhooks: write-back.ts.
 *
 * Leases: a claim pushes `next_attempt_at` forward to the lease's end (and sets `locked_until` to the same time for
 * display), so the one partial index `outbox_pending_due_idx (next_attempt_at) where status = 'pending'` serves
 * both due rows and rows whose lease expired after a crash: no second predicate, no second index. A writer whose
 * lease expired and whose row was claimed again by another worker is ignored, because every write-back checks the
 * `attempts` value it claimed.
 *
 * Disabled webhooks: the claim joins `webhooks` and never sends for a disabled one (so a disable by any code path
 * takes effect at once). Rows of a disabled webhook that the claim meets are parked at next_attempt_at = 'infinity'
 * in the same statement, so they stop occupying the head of the due index and later claims skip them for free.
 * `resumeParkedDeliveries` (run every tick, and by the Enable action) makes parked rows of enabled webhooks due
 * again; the small partial index `outbox_parked_idx` serves it.
 */

const iso = (d: Date) => d.toISOString();

/**
 * A webhook row's version for the dispatcher's settings cache: `w.updated_at` in whole milliseconds, truncated as a
 * JS Date truncates it. Every statement that hands rows to the dispatcher reads it this one way.
 */
export const webhookVersionSql = sql`floor(extract(epoch from w.updated_at) * 1000)::bigint`;

export type ClaimedRow = {
  id: number;
  orgId: number;
  eventId: string;
  webhookId: number;
  attempts: number;
  /** The webhook row's version (updated_at in ms): cached webhook settings are reused while it holds. */
  webhookVersion: number;
  /** The event, read in the claim itself (null if it no longer exists). */
  event: StoredEvent | null;
};

type ClaimArgs = {
  now: Date;
  batchSize: number;
  leaseMs: number;
  workerId?: string;
  /** Webhooks whose rows the caller has enough of: the claim passes over them (without locking them). */
  skipWebhookIds?: number[];
};

/**
 * The claim statement: leases the pending rows that `filter` chooses (its WHERE conditions beyond `status =
 * 'pending'`, then any ORDER BY / LIMIT; FOR UPDATE SKIP LOCKED, so concurrent workers never share a row), parks
 * rows of disabled webhooks it meets, and returns the leased rows with their events, in one statement.
 * `webhook_version` is the cache key (see webhookVersionSql).
 */
function claimStatement(filter: SQL, leaseUntil: string): SQL {
  return sql`
      with candidates as (
        select o.id, o.event_id, w.enabled, ${webhookVersionSql} as webhook_version
        from outbox o
        join webhooks w on w.id = o.webhook_id
        where o.status = 'pending' and ${filter}
        for update of o skip locked
      ),
      parked as (
        update outbox o set next_attempt_at = 'infinity', locked_until = null
        from candidates c
        where o.id = c.id and not c.enabled
        returning o.id
      )
      update outbox o
      set next_attempt_at = ${leaseUntil}::timestamptz,
          locked_until = ${leaseUntil}::timestamptz,
          attempts = o.attempts + 1
      from candidates c
      left join events e on e.id = c.event_id
      where o.id = c.id and c.enabled
      returning o.id, o.org_id, o.event_id, o.webhook_id, o.attempts, c.webhook_version,
        e.id as e_id, e.org_id as e_org_id, e.type as e_type, e.device_udid as e_device_udid,
        e.device_name as e_device_name, e.payload as e_payload, e.created_at as e_created_at`;
}

/** The claim of due rows (the oldest first); exported for EXPLAIN in the bench and the plan test. */
export function claimDueDeliveriesQuery(args: ClaimArgs): SQL {
  return claimStatement(
    sql`o.next_attempt_at <= ${iso(args.now)}::timestamptz
        and o.webhook_id <> all (${sql.param(args.skipWebhookIds ?? [])}::int[])
        order by o.next_attempt_at limit ${args.batchSize}`,
    iso(new Date(args.now.getTime() + args.leaseMs)),
  );
}

type ClaimResultRow = {
  id: number;
  org_id: number;
  event_id: string;
  webhook_id: number;
  attempts: number;
  webhook_version: number | string;
  e_id: string | null;
  e_org_id: number | null;
  e_type: string | null;
  e_device_udid: string | null;
  e_device_name: string | null;
  e_payload: Record<string, unknown> | string | null;
  e_created_at: Date | string | null;
};

function toClaimed(r: ClaimResultRow): ClaimedRow {
  return {
    id: Number(r.id),
    orgId: Number(r.org_id),
    eventId: r.event_id,
    webhookId: Number(r.webhook_id),
    attempts: Number(r.attempts),
    webhookVersion: Number(r.webhook_version),
    event:
      r.e_id === null
        ? null
        : {
            id: r.e_id,
            orgId: Number(r.e_org_id),
            type: r.e_type!,
            deviceUdid: r.e_device_udid,
            deviceName: r.e_device_name,
            payload: (typeof r.e_payload === "string" ? JSON.parse(r.e_payload) : r.e_payload) ?? {},
            createdAt: new Date(r.e_created_at!),
          },
  };
}

/** Leases up to `batchSize` due rows for `leaseMs`; returns what was claimed. */
export async function claimDueDeliveries(db: Db, args: ClaimArgs): Promise<ClaimedRow[]> {
  const rows = await preparedRows<ClaimResultRow>(db, claimDueDeliveriesQuery(args));
  return rows.map(toClaimed);
}

/**
 * Leases the given rows, if they are still pending and due (a kick hands over the rows its request just queued;
 * rows another worker holds, or already sent, are skipped). Primary-key lookups, no scan of the due index.
 */
export async function claimDeliveriesById(db: Db, ids: number[], args: Omit<ClaimArgs, "batchSize">): Promise<ClaimedRow[]> {
  if (ids.length === 0) return [];
  const rows = await preparedRows<ClaimResultRow>(
    db,
    claimStatement(
      sql`o.id = any (${sql.param(ids)}::bigint[]) and o.next_attempt_at <= ${iso(args.now)}::timestamptz`,
      iso(new Date(args.now.getTime() + args.leaseMs)),
    ),
  );
  return rows.map(toClaimed);
}

/** Gives claimed-but-unsent rows back (the attempt did not happen), due at `dueAt`. */
export async function releaseClaims(db: Db, rows: ClaimedRow[], dueAt: Date): Promise<void> {
  if (rows.length === 0) return;
  const values = rows.map((r) => sql`(${r.id}::bigint, ${r.attempts}::int)`);
  await db.execute(sql`
    update outbox o
    set next_attempt_at = ${iso(dueAt)}::timestamptz, locked_until = null, attempts = o.attempts - 1
    from (values ${sql.join(values, sql`, `)}) as r(id, attempts)
    where o.id = r.id and o.attempts = r.attempts and o.status = 'pending'`);
}
