import "server-only";
import { sql } from "drizzle-orm";
import { queryRows, type Db } from "@/db/client";
import { appUrl } from "@/lib/email/config";
import { queueAlert } from "./queue-alert";

/**
 * Operational alerts found by the tick, each claimed by a conditional UPDATE that only one worker can pass and
 * queued in the same transaction (so each goes out once, and a crash before commit leaves it for the next tick):
 * - an API key that expires within 7 days (once per key: api_keys.expiry_alerted_at);
 * - a device whose revoked token keeps being used (revoked_token_uses.alert_due, set by the status API's refusal
 *   when the count passes REVOKED_TOKEN_ALERT_THRESHOLD in an hour, at most once per device per day).
 */

const iso = (d: Date) => d.toISOString();
export const API_KEY_EXPIRY_NOTICE_DAYS = 7;
const when = (d: string | Date) => new Date(d).toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");

type KeyRow = { id: number; org_id: number; org_slug: string; org_name: string; name: string; prefix: string; scope: string; expires_at: string | Date };

export async function queueApiKeyExpiryAlerts(db: Db, now: Date = new Date()): Promise<number> {
  const horizon = iso(new Date(now.getTime() + API_KEY_EXPIRY_NOTICE_DAYS * 86_400_000));
  return db.transaction(async (tx) => {
    const rows = await queryRows<KeyRow>(
      tx,
      sql`with claimed as (
            update api_keys k set expiry_alerted_at = ${iso(now)}::timestamptz
            where k.id in (
              select id from api_keys
              where expires_at is not null and revoked_at is null and expiry_alerted_at is null
                and expires_at > ${iso(now)}::timestamptz and expires_at <= ${horizon}::timestamptz
              order by expires_at limit 100
              for update skip locked)
            returning k.id, k.org_id, k.name, k.prefix, k.scope, k.expires_at)
          select c.*, o.slug as org_slug, o.name as org_name from claimed c join orgs o on o.id = c.org_id order by c.id`,
    );
    let queued = 0;
    for (const k of rows) {
      const days = Math.max(1, Math.ceil((new Date(k.expires_at).getTime() - now.getTime()) / 86_400_000));
      const ids = await queueAlert(
        tx,
        { id: k.org_id, slug: k.org_slug, name: k.org_name },
        "alert.api_key_expiring",
        {
          subject: `API key "${k.name}" expires in ${days} day${days === 1 ? "" : "s"}`,
          heading: `API key "${k.name}" expires soon`,
          paragraphs: ["After it expires, requests with this key are refused. Create a new key and switch your integration to it before then."],
          details: [["Organization", k.org_name], ["Key", `${k.prefix}… (${k.scope})`], ["Expires", when(k.expires_at)]],
          action: { label: "Open API keys", url: `${appUrl()}/orgs/${k.org_slug}/settings/api-keys` },
        },
        now,
      );
      queued += ids.length;
    }
    return queued;
  });
}

type TokenRow = { device_id: number; org_id: number; org_slug: string; org_name: string; name: string; udid: string; uses: number; last_ip: string | null; window_started_at: string | Date };

export async function queueRevokedTokenAlerts(db: Db, now: Date = new Date()): Promise<number> {
  return db.transaction(async (tx) => {
    const rows = await queryRows<TokenRow>(
      tx,
      sql`with claimed as (
            update revoked_token_uses r set alert_due = false
            where r.device_id in (select device_id from revoked_token_uses where alert_due limit 100 for update skip locked)
            returning r.device_id, r.org_id, r.uses, r.last_ip, r.window_started_at)
          select c.*, d.name, d.udid, o.slug as org_slug, o.name as org_name
          from claimed c join devices d on d.id = c.device_id join orgs o on o.id = c.org_id order by c.device_id`,
    );
    let queued = 0;
    for (const r of rows) {
      const ids = await queueAlert(
        tx,
        { id: r.org_id, slug: r.org_slug, name: r.org_name },
        "alert.revoked_token_used",
        {
          subject: `A revoked token of "${r.name}" is still in use`,
          heading: `A revoked token of "${r.name}" is still in use`,
          paragraphs: [
            `Requests with a revoked token of this device were refused ${r.uses} times since ${when(r.window_started_at)}. Either the device still runs with its old token (give it the new one), or someone else holds the old token.`,
          ],
          details: [["Organization", r.org_name], ["Device", `${r.name} (${r.udid})`], ["Last address", r.last_ip ?? "unknown"]],
          action: { label: "Open the device", url: `${appUrl()}/orgs/${r.org_slug}/devices/${r.device_id}` },
        },
        now,
      );
      queued += ids.length;
    }
    return queued;
  });
}
