import "server-only";
import { sql, type SQL } from "drizzle-orm";
import { queryRows, type Db } from "@/db/client";
import { deliveryAttempts } from "@/db/schema";
import { recordAudit } from "@/lib/audit";

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

export type ClaimedRow = { id: number; orgId: number; eventId: string; webhookId: number; attempts: number };

/**
 * The claim statement: leases up to `batchSize` due rows (FOR UPDATE SKIP LOCKED, so concurrent workers never
 * share a row) and parks rows of disabled webhooks it meets, in one statement. Exported for EXPLAIN in the bench.
 */
export function claimDueDeliveriesQuery(args: { now: Date; batchSize: number; leaseMs: number; workerId?: string }): SQL {
  const leaseUntil = iso(new Date(args.now.getTime() + args.leaseMs));
  return sql`
      with candidates as (
        select o.id, w.enabled
        from outbox o
        join webhooks w on w.id = o.webhook_id
        where o.status = 'pending' and o.next_attempt_at <= ${iso(args.now)}::timestamptz
        order by o.next_attempt_at
        limit ${args.batchSize}
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
      where o.id = c.id and c.enabled
      returning o.id, o.org_id, o.event_id, o.webhook_id, o.attempts`;
}

/** Leases up to `batchSize` due rows for `leaseMs`; returns what was claimed. */
export async function claimDueDeliveries(
  db: Db,
  args: { now: Date; batchSize: number; leaseMs: number; workerId?: string },
): Promise<ClaimedRow[]> {
  const rows = await queryRows<{ id: number; org_id: number; event_id: string; webhook_id: number; attempts: number }>(
    db,
    claimDueDeliveriesQuery(args),
  );
  return rows.map((r) => ({
    id: Number(r.id),
    orgId: Number(r.org_id),
    eventId: r.event_id,
    webhookId: Number(r.webhook_id),
    attempts: Number(r.attempts),
  }));
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

/** One bound parameter holding a whole array (drizzle would otherwise expand a JS array into a list). */
const arr = (values: unknown[]) => sql.param(values);

/**
 * Writes outcomes and attempts in one transaction, each as ONE statement over arrays (UPDATE … FROM unnest(…),
 * INSERT … SELECT FROM unnest(…)): a fixed number of bound parameters whatever the batch size, and cheap to build.
 */
export async function writeOutcomes(db: Db, outcomes: RowOutcome[], attempts: AttemptRecord[]): Promise<void> {
  if (outcomes.length === 0 && attempts.length === 0) return;
  await db.transaction(async (tx) => {
    if (outcomes.length > 0) {
      await tx.execute(sql`
        update outbox o
        set status = r.status,
            next_attempt_at = coalesce(r.next_attempt_at, o.next_attempt_at),
            locked_until = null,
            last_status_code = r.status_code,
            last_error = r.error,
            completed_at = r.completed_at
        from unnest(
          ${arr(outcomes.map((o) => o.row.id))}::bigint[],
          ${arr(outcomes.map((o) => o.row.attempts))}::int[],
          ${arr(outcomes.map((o) => o.status))}::text[],
          ${arr(outcomes.map((o) => (o.nextAttemptAt ? iso(o.nextAttemptAt) : null)))}::timestamptz[],
          ${arr(outcomes.map((o) => o.statusCode))}::int[],
          ${arr(outcomes.map((o) => o.error))}::text[],
          ${arr(outcomes.map((o) => (o.completedAt ? iso(o.completedAt) : null)))}::timestamptz[]
        ) as r(id, attempts, status, next_attempt_at, status_code, error, completed_at)
        where o.id = r.id and o.attempts = r.attempts and o.status = 'pending'`);
    }
    if (attempts.length > 0) {
      const col = <K extends keyof AttemptRecord>(k: K) => arr(attempts.map((a) => a[k] ?? null));
      const json = (k: "requestHeaders" | "responseHeaders") =>
        arr(attempts.map((a) => (a[k] == null ? null : JSON.stringify(a[k]))));
      await tx.execute(sql`
        insert into delivery_attempts (org_id, outbox_id, webhook_id, event_id, event_type, is_test, request_method,
          request_url, request_headers, request_body, response_status, response_headers, response_body, duration_ms,
          error, attempted_at)
        select org_id, outbox_id, webhook_id, event_id, event_type, is_test, request_method, request_url,
          request_headers::jsonb, request_body, response_status, response_headers::jsonb, response_body, duration_ms,
          error, attempted_at
        from unnest(
          ${col("orgId")}::int[], ${col("outboxId")}::bigint[], ${col("webhookId")}::int[], ${col("eventId")}::text[],
          ${col("eventType")}::text[], ${arr(attempts.map((a) => a.isTest ?? false))}::boolean[],
          ${col("requestMethod")}::text[], ${col("requestUrl")}::text[], ${json("requestHeaders")}::text[],
          ${col("requestBody")}::text[], ${col("responseStatus")}::int[], ${json("responseHeaders")}::text[],
          ${col("responseBody")}::text[], ${col("durationMs")}::int[], ${col("error")}::text[],
          ${arr(attempts.map((a) => (a.attemptedAt instanceof Date ? iso(a.attemptedAt) : (a.attemptedAt ?? null))))}::timestamptz[]
        ) as t(org_id, outbox_id, webhook_id, event_id, event_type, is_test, request_method, request_url,
               request_headers, request_body, response_status, response_headers, response_body, duration_ms, error,
               attempted_at)`);
    }
  });
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

/**
 * Updates failure streaks and disables webhooks: at once on 410, or when the streak is long AND old
 * (WEBHOOK_DISABLE_AFTER_FAILURES outcomes, begun over WEBHOOK_DISABLE_AFTER_HOURS ago). Each disable parks the
 * webhook's pending rows and writes an audit entry with no actor.
 */
export async function updateWebhookHealth(
  db: Db,
  tallies: WebhookTally[],
  now: Date,
  thresholds: { failures: number; hours: number },
): Promise<DisabledWebhook[]> {
  const touched = tallies.filter((t) => t.hadSuccess || t.failuresAfterLastSuccess > 0 || t.gone);
  if (touched.length === 0) return [];
  return db.transaction(async (tx) => {
    const values = touched.map(
      (t) => sql`(${t.webhookId}::int, ${t.hadSuccess}::boolean, ${t.failuresAfterLastSuccess}::int)`,
    );
    await tx.execute(sql`
      update webhooks w
      set consecutive_failures = case when r.reset then r.failures else w.consecutive_failures + r.failures end,
          failing_since = case
            when r.failures = 0 then (case when r.reset then null else w.failing_since end)
            when r.reset or w.failing_since is null then ${iso(now)}::timestamptz
            else w.failing_since end
      from (values ${sql.join(values, sql`, `)}) as r(id, reset, failures)
      where w.id = r.id`);

    const disabled: DisabledWebhook[] = [];
    const gone = touched.filter((t) => t.gone);
    for (const t of gone) {
      const reason = `The receiver answered 410 Gone (${t.gone!.url}); delivery stopped at its request.`;
      const rows = await disableWebhooks(tx, sql`w.id = ${t.webhookId} and w.enabled`, reason, now);
      disabled.push(...rows);
    }
    const cutoff = new Date(now.getTime() - thresholds.hours * 3_600_000);
    const candidates = touched.filter((t) => !t.gone && t.failuresAfterLastSuccess > 0).map((t) => t.webhookId);
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
