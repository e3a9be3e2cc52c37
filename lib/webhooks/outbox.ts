import "server-only";
import { sql, type SQL } from "drizzle-orm";
import { preparedRows, queryRows, type Db } from "@/db/client";
import { deliveryAttempts } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import type { StoredEvent } from "./types";

/**
 * SQL of the outbox: claiming due rows, writing outcomes back, parking rows of disabled webhooks.
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

export type RowOutcome = {
  row: ClaimedRow;
  status: "pending" | "succeeded" | "failed";
  nextAttemptAt: Date | null;
  statusCode: number | null;
  error: string | null;
  completedAt: Date | null;
};

export type AttemptRecord = typeof deliveryAttempts.$inferInsert;

/**
 * Writes outcomes, attempts and the webhooks' failure streaks in ONE statement (three data-modifying CTEs, so all
 * or none), each fed by one JSON parameter read with json_to_recordset: one round trip and a fixed number of
 * parameters whatever the batch size, and cheap to build (JSON.stringify is native). An outcome applies only while
 * the row is pending with the attempt count this worker claimed, so a worker whose lease expired cannot overwrite
 * the new owner's result. Streaks: a success resets, failures add; a healthy webhook that stays healthy is not
 * written at all (most batches), so workers do not queue on the webhook rows. Disabling, when a streak or a 410
 * calls for it, is `disableFailingWebhooks`' job, after this statement.
 */
export async function writeOutcomes(
  db: Db,
  outcomes: RowOutcome[],
  attempts: AttemptRecord[],
  tallies: WebhookTally[] = [],
  now: Date = new Date(),
): Promise<void> {
  // in id order, so two workers writing the same webhooks lock them in one order
  const streaks = tallies.filter(touchesStreak).sort((a, b) => a.webhookId - b.webhookId);
  if (outcomes.length === 0 && attempts.length === 0 && streaks.length === 0) return;
  const outcomeJson = JSON.stringify(
    outcomes.map((o) => ({
      id: o.row.id,
      attempts: o.row.attempts,
      status: o.status,
      next_attempt_at: o.nextAttemptAt ? iso(o.nextAttemptAt) : null,
      status_code: o.statusCode,
      error: o.error,
      completed_at: o.completedAt ? iso(o.completedAt) : null,
    })),
  );
  const attemptJson = JSON.stringify(
    attempts.map((a) => ({
      org_id: a.orgId,
      outbox_id: a.outboxId ?? null,
      webhook_id: a.webhookId ?? null,
      event_id: a.eventId ?? null,
      event_type: a.eventType ?? null,
      is_test: a.isTest ?? false,
      request_method: a.requestMethod,
      request_url: a.requestUrl,
      request_headers: a.requestHeaders ?? null,
      request_body: a.requestBody ?? null,
      response_status: a.responseStatus ?? null,
      response_headers: a.responseHeaders ?? null,
      response_body: a.responseBody ?? null,
      duration_ms: a.durationMs ?? null,
      error: a.error ?? null,
      attempted_at: a.attemptedAt instanceof Date ? iso(a.attemptedAt) : (a.attemptedAt ?? null),
    })),
  );
  const streakJson = JSON.stringify(
    streaks.map((t) => ({ id: t.webhookId, reset: t.hadSuccess, failures: t.failuresAfterLastSuccess })),
  );
  await preparedRows(db, sql`
    with done as (
      update outbox o
      set status = r.status,
          next_attempt_at = coalesce(r.next_attempt_at, o.next_attempt_at),
          locked_until = null,
          last_status_code = r.status_code,
          last_error = r.error,
          completed_at = r.completed_at
      from json_to_recordset(${outcomeJson}::json) as r(id bigint, attempts int, status text, next_attempt_at timestamptz,
        status_code int, error text, completed_at timestamptz)
      where o.id = r.id and o.attempts = r.attempts and o.status = 'pending'
      returning 1
    ),
    logged as (
      insert into delivery_attempts (org_id, outbox_id, webhook_id, event_id, event_type, is_test, request_method,
        request_url, request_headers, request_body, response_status, response_headers, response_body, duration_ms,
        error, attempted_at)
      select org_id, outbox_id, webhook_id, event_id, event_type, is_test, request_method, request_url,
        request_headers, request_body, response_status, response_headers, response_body, duration_ms, error,
        attempted_at
      from json_to_recordset(${attemptJson}::json) as t(org_id int, outbox_id bigint, webhook_id int, event_id text,
        event_type text, is_test boolean, request_method text, request_url text, request_headers jsonb,
        request_body text, response_status int, response_headers jsonb, response_body text, duration_ms int,
        error text, attempted_at timestamptz)
      returning 1
    ),
    streaks as (
      update webhooks w
      set consecutive_failures = case when r.reset then r.failures else w.consecutive_failures + r.failures end,
          failing_since = case
            when r.failures = 0 then (case when r.reset then null else w.failing_since end)
            when r.reset or w.failing_since is null then ${iso(now)}::timestamptz
            else w.failing_since end
      from json_to_recordset(${streakJson}::json) as r(id int, reset boolean, failures int)
      where w.id = r.id
        and not (r.reset and r.failures = 0 and w.consecutive_failures = 0 and w.failing_since is null)
      returning 1
    )
    select 1`);
}

/** Per-webhook result of a batch, in completion order. */
export type WebhookTally = {
  webhookId: number;
  /** Deliveries that failed (counted once each, at their first failed attempt) after the last success in this batch. */
  failuresAfterLastSuccess: number;
  hadSuccess: boolean;
  /** A 410 Gone came back: disable at once. */
  gone: { status: number; url: string } | null;
};

export type DisabledWebhook = { id: number; orgId: number; name: string; reason: string };

/** Whether a batch's tally changes its webhook's streak (a success resets it, a failure adds to it). */
function touchesStreak(t: WebhookTally): boolean {
  return t.hadSuccess || t.failuresAfterLastSuccess > 0 || t.gone !== null;
}

/**
 * Disables webhooks after `writeOutcomes` recorded their streaks: at once on 410, or when the streak is long AND
 * old (WEBHOOK_DISABLE_AFTER_FAILURES outcomes, begun over WEBHOOK_DISABLE_AFTER_HOURS ago). Each disable parks the
 * webhook's pending rows and writes an audit entry with no actor. A batch without failures costs no statement.
 */
export async function disableFailingWebhooks(
  db: Db,
  tallies: WebhookTally[],
  now: Date,
  thresholds: { failures: number; hours: number },
): Promise<DisabledWebhook[]> {
  const gone = tallies.filter((t) => t.gone);
  const candidates = tallies.filter((t) => !t.gone && t.failuresAfterLastSuccess > 0).map((t) => t.webhookId);
  if (gone.length === 0 && candidates.length === 0) return [];
  return db.transaction(async (tx) => {
    const disabled: DisabledWebhook[] = [];
    for (const t of gone) {
      const reason = `The receiver answered 410 Gone (${t.gone!.url}); delivery stopped at its request.`;
      const rows = await disableWebhooks(tx, sql`w.id = ${t.webhookId} and w.enabled`, reason, now);
      disabled.push(...rows);
    }
    const cutoff = new Date(now.getTime() - thresholds.hours * 3_600_000);
    if (candidates.length > 0) {
      const rows = await disableWebhooks(
        tx,
        sql`w.id in (${sql.join(candidates.map((id) => sql`${id}`), sql`, `)}) and w.enabled
            and w.consecutive_failures >= ${thresholds.failures}
            and w.failing_since <= ${iso(cutoff)}::timestamptz`,
        null,
        now,
        thresholds,
      );
      disabled.push(...rows);
    }
    for (const d of disabled) {
      await recordAudit(tx, {
        orgId: d.orgId,
        actorUserId: null,
        action: "webhook.disabled",
        targetType: "webhook",
        targetId: d.id,
        summary: `Webhook "${d.name}" was disabled automatically: ${d.reason}`,
        details: { reason: d.reason, automatic: true },
      });
    }
    return disabled;
  });
}

async function disableWebhooks(
  tx: Db,
  where: SQL,
  fixedReason: string | null,
  now: Date,
  thresholds?: { failures: number; hours: number },
): Promise<DisabledWebhook[]> {
  const reasonSql = fixedReason
    ? sql`${fixedReason}::text`
    : sql`'Disabled automatically after ' || w.consecutive_failures || ' failed deliveries in a row since ' || to_char(w.failing_since at time zone 'UTC', 'YYYY-MM-DD HH24:MI') || ' UTC (threshold: ' || ${thresholds?.failures ?? 0}::int || ' failures over ' || ${thresholds?.hours ?? 0}::int || ' h).'`;
  const rows = await queryRows<{ id: number; org_id: number; name: string; disabled_reason: string }>(
    tx,
    sql`update webhooks w
        set enabled = false, disabled_reason = ${reasonSql}, disabled_at = ${iso(now)}::timestamptz, updated_at = ${iso(now)}::timestamptz
        where ${where}
        returning w.id, w.org_id, w.name, w.disabled_reason`,
  );
  if (rows.length > 0) {
    await parkWebhookDeliveries(tx, rows.map((r) => Number(r.id)));
  }
  return rows.map((r) => ({ id: Number(r.id), orgId: Number(r.org_id), name: r.name, reason: r.disabled_reason }));
}

/** Parks the pending, unleased rows of (disabled) webhooks at next_attempt_at = 'infinity'. */
export async function parkWebhookDeliveries(db: Db, webhookIds: number[]): Promise<void> {
  if (webhookIds.length === 0) return;
  await db.execute(sql`
    update outbox set next_attempt_at = 'infinity', locked_until = null
    where status = 'pending' and locked_until is null
      and webhook_id in (${sql.join(webhookIds.map((id) => sql`${id}`), sql`, `)})`);
}

/**
 * Makes parked rows of enabled webhooks due now (re-enable resumes delivery). With `webhookId`, only that
 * webhook's rows (call it from the Enable action, inside its transaction). Returns how many rows resumed.
 */
export async function resumeParkedDeliveries(db: Db, now: Date = new Date(), webhookId?: number): Promise<number> {
  const rows = await queryRows<{ n: number }>(
    db,
    sql`with resumed as (
          update outbox o set next_attempt_at = ${iso(now)}::timestamptz
          from webhooks w
          where o.status = 'pending' and o.next_attempt_at = 'infinity'::timestamptz
            and w.id = o.webhook_id and w.enabled
            ${webhookId !== undefined ? sql`and w.id = ${webhookId}` : sql``}
          returning 1)
        select count(*)::int as n from resumed`,
  );
  return Number(rows[0]?.n ?? 0);
}
