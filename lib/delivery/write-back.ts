import "server-only";
import { sql, type SQL } from "drizzle-orm";
import { queryRows, type Db } from "@/db/client";
import { hasSqlState } from "@/db/errors";
import { deliveryAttempts } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { parkWebhookDeliveries } from "@/lib/webhooks/parking";
import type { ClaimedRow } from "./claim";

// Writing a pass's results back to the outbox (outcomes, attempts, failure streaks), auto-disabling failing
// webhooks, and parking/resuming the rows of disabled webhooks. The lease rules these writes respect are described
// at the top of claim.ts and in docs/architecture.md ("The outbox state machine").

const iso = (d: Date) => d.toISOString();

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
 *
 * Planned at every execution (an unnamed statement, not a named prepared one), with each recordset's true size
 * (`limit n`): a generic plan cached while the outbox was small kept hashing a sequential scan of the whole outbox
 * for every batch as it grew (9 ms per write-back at 1,000 changes/s, growing with the table until the next
 * ANALYZE; the contact statement's lookups are all by key). Planning costs ~0.3 ms per batch.
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
      was: "pending",
      status: o.status,
      next_attempt_at: o.nextAttemptAt ? iso(o.nextAttemptAt) : null,
      status_code: o.statusCode,
      error: o.error,
      completed_at: o.completedAt ? iso(o.completedAt) : null,
    })),
  );
  // the records as they are (no per-row copy): their camelCase keys are the recordset's column names below; dates
  // become ISO strings through Date.toJSON, missing keys are null
  const attemptJson = JSON.stringify(attempts);
  const streakJson = JSON.stringify(
    streaks.map((t) => ({ id: t.webhookId, reset: t.hadSuccess, failures: t.failuresAfterLastSuccess })),
  );
  const statement = sql`
    with done as (
      update outbox o
      set status = r.status,
          next_attempt_at = coalesce(r.next_attempt_at, o.next_attempt_at),
          locked_until = null,
          last_status_code = r.status_code,
          last_error = r.error,
          completed_at = r.completed_at
      from (select * from json_to_recordset(${outcomeJson}::json) as r(id bigint, attempts int, was text, status text,
        next_attempt_at timestamptz, status_code int, error text, completed_at timestamptz) limit ${outcomes.length}) r
      -- "pending" comes with each row (r.was), not as a literal: a literal lets the planner read the rows through the
      -- partial index of pending rows, which holds every row sent since the last vacuum as a dead entry (33,765 of
      -- them for 326 live rows in a 1,000 changes/s run); this way it is one primary-key probe per row
      where o.id = r.id and o.attempts = r.attempts and o.status = r.was
      returning 1
    ),
    logged as (
      insert into delivery_attempts (org_id, outbox_id, webhook_id, event_id, event_type, is_test, request_method,
        request_url, request_headers, request_body, response_status, response_headers, response_body, duration_ms,
        error, attempted_at)
      select "orgId", "outboxId", "webhookId", "eventId", "eventType", coalesce("isTest", false), "requestMethod",
        "requestUrl", "requestHeaders", "requestBody", "responseStatus", "responseHeaders", "responseBody",
        "durationMs", error, coalesce("attemptedAt", now())
      from (select * from json_to_recordset(${attemptJson}::json) as t("orgId" int, "outboxId" bigint, "webhookId" int,
        "eventId" text, "eventType" text, "isTest" boolean, "requestMethod" text, "requestUrl" text, "requestHeaders" jsonb,
        "requestBody" text, "responseStatus" int, "responseHeaders" jsonb, "responseBody" text, "durationMs" int,
        error text, "attemptedAt" timestamptz) limit ${attempts.length}) t
      -- a webhook deleted while its deliveries were in flight took its outbox rows with it: drop their attempts
      -- instead of failing the batch's one statement on the foreign keys (and losing every other outcome in it).
      -- (offset 0: one primary-key probe per attempt, never a hashed scan of the whole outbox)
      where ("outboxId" is null or exists (select 1 from outbox x where x.id = t."outboxId" offset 0))
        and ("webhookId" is null or exists (select 1 from webhooks x where x.id = t."webhookId" offset 0))
      returning 1
    ),
    streaks as (
      update webhooks w
      set consecutive_failures = case when r.reset then r.failures else w.consecutive_failures + r.failures end,
          failing_since = case
            when r.failures = 0 then (case when r.reset then null else w.failing_since end)
            when r.reset or w.failing_since is null then ${iso(now)}::timestamptz
            else w.failing_since end
      from (select * from json_to_recordset(${streakJson}::json) as r(id int, reset boolean, failures int) limit ${streaks.length}) r
      where w.id = r.id
        and not (r.reset and r.failures = 0 and w.consecutive_failures = 0 and w.failing_since is null)
      returning 1
    )
    select 1`;
  try {
    await queryRows(db, statement);
  } catch (err) {
    // The delete committed between this statement's snapshot and its foreign-key check: run it again, and the
    // filter above drops the gone rows' attempts. (A second race on the same batch is not worth a loop.)
    if (!hasSqlState(err, "23503")) throw err;
    await queryRows(db, statement);
  }
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

// Parking and resuming live below the engine (the webhook settings use them too); re-exported for the engine.
export { parkWebhookDeliveries, resumeParkedDeliveries } from "@/lib/webhooks/parking";
