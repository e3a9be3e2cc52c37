import "server-only";
import { sql, type SQL } from "drizzle-orm";
import { intEnv } from "@/lib/env";

/** Refusals of a device's revoked token within an hour that raise an operational alert (REVOKED_TOKEN_ALERT_THRESHOLD, 5). */
export function revokedTokenAlertThreshold(): number {
  return Math.max(1, intEnv("REVOKED_TOKEN_ALERT_THRESHOLD", 5) || 5);
}

/**
 * A CTE (`counted`) for the statement that records an authentication failure: for a request tied to a device by a
 * revoked token (`tied` with reason 'revoked_token'), one upsert of the device's counter in a fixed one-hour
 * window. Reaching the threshold sets `alert_due` (the tick queues the email, lib/alerts/key-alerts.ts) and
 * `alerted_at`, at most once per device per day. One row per device, whatever the number of refusals.
 */
export function countRevokedUseCte(now: Date, ip: string | null): SQL {
  const at = sql`${now.toISOString()}::timestamptz`;
  const threshold = revokedTokenAlertThreshold();
  const fresh = sql`r.window_started_at <= ${at} - interval '1 hour'`;
  const uses = sql`(case when ${fresh} then 1 else r.uses + 1 end)`;
  const alertNow = sql`(not r.alert_due and ${uses} >= ${threshold}
    and (r.alerted_at is null or r.alerted_at <= ${at} - interval '1 day'))`;
  return sql`counted as (
      insert into revoked_token_uses as r (device_id, org_id, window_started_at, uses, last_ip, alert_due, alerted_at)
      select tied.device_id, tied.org_id, ${at}, 1, ${ip}, ${threshold <= 1}, ${threshold <= 1 ? at : null}
      from tied where tied.reason = 'revoked_token'
      on conflict (device_id) do update set
        window_started_at = case when ${fresh} then ${at} else r.window_started_at end,
        uses = ${uses},
        last_ip = excluded.last_ip,
        alert_due = r.alert_due or ${alertNow},
        alerted_at = case when ${alertNow} then ${at} else r.alerted_at end
    )`;
}
