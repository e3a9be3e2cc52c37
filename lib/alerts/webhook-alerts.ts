import "server-only";
import { sql } from "drizzle-orm";
import { queryRows, type Db } from "@/db/client";
import { appUrl } from "@/lib/email/config";
import { queueAlert } from "./queue-alert";

/**
 * Operational alerts to an org's owners and admins, found by the tick (so they survive any crash and go out once
 * even with several workers):
 * - a webhook the delivery engine disabled (failure streak over the thresholds, or 410 Gone): the reason, the last
 *   error and a link to review and re-enable it; one per disable, only for disables of the last day;
 * - a webhook that started failing (a new failure streak): at most one per webhook per day.
 * Each alert is claimed by an upsert into webhook_alerts whose guard only one worker can pass, and queued in the
 * same transaction (members-only: an owner or admin who left by the time it is sent gets nothing; one who turned
 * operational alerts off gets none: lib/alerts/queue-alert.ts).
 */

const DAY_MS = 86_400_000;
const iso = (d: Date) => d.toISOString();

type AlertRow = { id: number; org_id: number; org_slug: string; org_name: string; name: string; url: string; reason: string | null; last_error: string | null; since: string | Date | null; failures: number };

const lastErrorSql = sql`(select coalesce(da.error, 'HTTP ' || da.response_status)
    from delivery_attempts da where da.webhook_id = w.id and not da.is_test
      and (da.error is not null or da.response_status is null or da.response_status >= 300)
    order by da.attempted_at desc limit 1)`;

async function queueWebhookAlert(tx: Db, row: AlertRow, kind: "disabled" | "failing", now: Date): Promise<number[]> {
  const link = `${appUrl()}/orgs/${row.org_slug}/webhooks/${row.id}`;
  const lastError = row.last_error ?? "—";
  const content =
    kind === "disabled"
      ? {
          subject: `Webhook "${row.name}" was disabled`,
          heading: `Webhook "${row.name}" was disabled`,
          paragraphs: [row.reason ?? "The delivery engine disabled it.", "Its pending deliveries wait until you enable it again; nothing is lost."],
          details: [["Organization", row.org_name], ["URL", row.url], ["Last error", lastError]] as [string, string][],
          action: { label: "Review and re-enable", url: link },
        }
      : {
          subject: `Webhook "${row.name}" started failing`,
          heading: `Webhook "${row.name}" started failing`,
          paragraphs: [
            "Deliveries to this webhook have started failing. Signalpost keeps retrying them with backoff; if the failures go on, the webhook is disabled automatically.",
          ],
          details: [["Organization", row.org_name], ["URL", row.url], ["Last error", lastError], ["Failing since", new Date(row.since!).toISOString()]] as [string, string][],
          action: { label: "See its deliveries", url: `${link}/deliveries` },
        };
  return queueAlert(tx, { id: row.org_id, slug: row.org_slug, name: row.org_name }, `alert.webhook_${kind}`, content, now);
}

/** Finds and queues due webhook alerts; returns how many emails were queued. */
export async function queueWebhookAlerts(db: Db, now: Date = new Date()): Promise<number> {
  const dayAgo = iso(new Date(now.getTime() - DAY_MS));
  return db.transaction(async (tx) => {
    const disabled = await queryRows<AlertRow>(
      tx,
      sql`with cand as (
            select w.id, w.disabled_at from webhooks w
            left join webhook_alerts a on a.webhook_id = w.id
            where not w.enabled and w.disabled_at > ${dayAgo}::timestamptz
              and w.disabled_at > coalesce(a.disabled_alerted_at, '-infinity'::timestamptz)
              and exists (select 1 from audit_log l where l.org_id = w.org_id and l.action = 'webhook.disabled'
                and l.actor_user_id is null and l.target_id = w.id::text and l.created_at >= w.disabled_at - interval '1 minute')
          ),
          claimed as (
            insert into webhook_alerts (webhook_id, disabled_alerted_at) select id, disabled_at from cand
            on conflict (webhook_id) do update set disabled_alerted_at = excluded.disabled_alerted_at
              where webhook_alerts.disabled_alerted_at is null or webhook_alerts.disabled_alerted_at < excluded.disabled_alerted_at
            returning webhook_id
          )
          select w.id, w.org_id, o.slug as org_slug, o.name as org_name, w.name, w.url, w.disabled_reason as reason,
            ${lastErrorSql} as last_error, w.failing_since as since, w.consecutive_failures as failures
          from claimed c join webhooks w on w.id = c.webhook_id join orgs o on o.id = w.org_id`,
    );
    const failing = await queryRows<AlertRow>(
      tx,
      sql`with cand as (
            select w.id, w.failing_since from webhooks w
            left join webhook_alerts a on a.webhook_id = w.id
            where w.enabled and w.failing_since is not null
              and w.failing_since > coalesce(a.failing_streak_alerted, '-infinity'::timestamptz)
              and (a.failing_alerted_at is null or a.failing_alerted_at <= ${dayAgo}::timestamptz)
          ),
          claimed as (
            insert into webhook_alerts (webhook_id, failing_alerted_at, failing_streak_alerted)
            select id, ${iso(now)}::timestamptz, failing_since from cand
            on conflict (webhook_id) do update
              set failing_alerted_at = excluded.failing_alerted_at, failing_streak_alerted = excluded.failing_streak_alerted
              where (webhook_alerts.failing_alerted_at is null or webhook_alerts.failing_alerted_at <= ${dayAgo}::timestamptz)
                and excluded.failing_streak_alerted > coalesce(webhook_alerts.failing_streak_alerted, '-infinity'::timestamptz)
            returning webhook_id
          )
          select w.id, w.org_id, o.slug as org_slug, o.name as org_name, w.name, w.url, w.disabled_reason as reason,
            ${lastErrorSql} as last_error, w.failing_since as since, w.consecutive_failures as failures
          from claimed c join webhooks w on w.id = c.webhook_id join orgs o on o.id = w.org_id`,
    );
    let queued = 0;
    for (const row of disabled) queued += (await queueWebhookAlert(tx, row, "disabled", now)).length;
    for (const row of failing) queued += (await queueWebhookAlert(tx, row, "failing", now)).length;
    return queued;
  });
}
