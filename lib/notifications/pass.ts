import "server-only";
import { sql } from "drizzle-orm";
import { queryRows, type Db } from "@/db/client";
import { appUrl } from "@/lib/email/config";
import { queueEmails, type EmailToQueue } from "@/lib/email/queue";
import { renderEmail } from "@/lib/email/render";
import { catalogEntry, summarizeEvent } from "@/lib/events/catalog";
import { unsubscribeLinks } from "./prefs";

/**
 * The notification pass (run by the tick): turns due notification_items into emails in the email outbox.
 * A member with any due item has ALL their pending items taken at once (up to a bound; a batch takes members until
 * BATCH_ITEMS items, so one transaction stays well under a second whatever the backlog): "each event" members get
 * one email per event, digest members one email listing the window's events (the first DIGEST_LIST_MAX rows, then
 * "and N more" with a link to the event log). A burst (more than EACH_BURST_MAX events due at once for an "each
 * event" member, e.g. 500 devices dropping together) is folded into one such list, never hundreds of emails. The items are deleted in the transaction that queues the emails, and
 * members are locked with SKIP LOCKED (FOR NO KEY UPDATE, which does not block the event statements' inserts), so
 * two workers never take the same item, a crash before commit leaves them for the next tick, and none is sent twice.
 */

export const DIGEST_LIST_MAX = 100;
const MEMBERS_PER_BATCH = 20;
/** More events than this due at once for an "each event" member → one email listing them. */
export const EACH_BURST_MAX = 10;
const PER_MEMBER = 20_000;
/** Items one batch takes, across members (one member's whole backlog, up to PER_MEMBER, always fits). */
const BATCH_ITEMS = 10_000;
const iso = (d: Date) => d.toISOString();

type Item = {
  org_id: number;
  user_id: number;
  email: string;
  user_name: string;
  org_slug: string;
  org_name: string;
  mode: "each" | "digest";
  type: string;
  device_id: number | null;
  device_udid: string | null;
  device_name: string | null;
  payload: Record<string, unknown> | string;
  created_at: string | Date;
};

async function takeDue(tx: Db, now: Date): Promise<Item[]> {
  return queryRows<Item>(
    tx,
    sql`with cand as (
          select distinct org_id, user_id from (
            select n.org_id, n.user_id from notification_items n
            where n.due_at <= ${iso(now)}::timestamptz order by n.due_at limit 500) d
        ),
        members as (
          select p.org_id, p.user_id, p.mode from notification_prefs p
          join cand c on c.org_id = p.org_id and c.user_id = p.user_id
          limit ${MEMBERS_PER_BATCH}::int
          for no key update of p skip locked
        ),
        -- a batch is bounded by items too: members in order while fewer than BATCH_ITEMS are taken before them
        -- (the first always goes; the others locked here wait for the next batch)
        sized as (
          select m.*, sum(least(c.n, ${PER_MEMBER}::int)) over (order by m.org_id, m.user_id) - least(c.n, ${PER_MEMBER}::int) as before
          from members m
          cross join lateral (
            select count(*)::int as n from notification_items i where i.org_id = m.org_id and i.user_id = m.user_id) c
        ),
        chosen as (select org_id, user_id, mode from sized where before < ${BATCH_ITEMS}::int),
        taken as (
          delete from notification_items n
          where n.id in (
            select x.id from chosen m
            cross join lateral (
              select i.id from notification_items i where i.org_id = m.org_id and i.user_id = m.user_id
              order by i.id limit ${PER_MEMBER}::int) x)
          returning n.id, n.org_id, n.user_id, n.event_id
        )
        select t.org_id, t.user_id, u.email, u.name as user_name, o.slug as org_slug, o.name as org_name, m.mode,
          e.type, e.device_id, e.device_udid, e.device_name, e.payload, e.created_at
        from taken t
        join chosen m on m.org_id = t.org_id and m.user_id = t.user_id
        join users u on u.id = t.user_id
        join orgs o on o.id = t.org_id
        join events e on e.id = t.event_id
        order by t.org_id, t.user_id, e.created_at, t.id`,
  );
}

const when = (d: string | Date) => new Date(d).toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
const describe = (i: Item) => catalogEntry(i.type)?.description ?? i.type;
const deviceLabel = (i: Item) => (i.device_name ? `${i.device_name}${i.device_udid ? ` (${i.device_udid})` : ""}` : "Organization");
const payloadOf = (i: Item) => (typeof i.payload === "string" ? (JSON.parse(i.payload) as Record<string, unknown>) : (i.payload ?? {}));

async function emailsFor(items: Item[]): Promise<EmailToQueue[]> {
  const first = items[0];
  const links = unsubscribeLinks(first.org_slug, first.org_id, first.user_id, "notifications");
  const portal = `${appUrl()}/orgs/${first.org_slug}`;
  const footer = `You get these emails because of your notification settings in ${first.org_name}. Change them: ${links.settingsUrl}`;
  const base = { kind: "notification", to: first.email, orgId: first.org_id, userId: first.user_id, membersOnly: true, headers: links.headers };
  if (first.mode === "each" && items.length <= EACH_BURST_MAX) {
    return Promise.all(
      items.map(async (i) => {
        const summary = summarizeEvent(i.type, payloadOf(i));
        const email = await renderEmail({
          subject: `${i.device_name ?? first.org_name}: ${describe(i)}`,
          heading: `${i.device_name ?? first.org_name}: ${describe(i)}`,
          paragraphs: [`${describe(i)}${summary ? ` — ${summary}` : ""}, at ${when(i.created_at)}.`],
          details: [
            ...(i.device_name ? ([["Device", deviceLabel(i)]] as [string, string][]) : []),
            ["Event", i.type],
            ["Organization", first.org_name],
          ],
          action: i.device_id ? { label: "Open the device", url: `${portal}/devices/${i.device_id}` } : { label: "Open the event log", url: `${portal}/events` },
          footer,
          unsubscribeUrl: links.url,
        });
        return { ...base, email };
      }),
    );
  }
  const listed = items.slice(0, DIGEST_LIST_MAX);
  const more = items.length - listed.length;
  const devicesCount = new Set(items.map((i) => i.device_id ?? -1)).size;
  const email = await renderEmail({
    subject: `${items.length} device event${items.length === 1 ? "" : "s"} in ${first.org_name}`,
    heading: `${items.length} event${items.length === 1 ? "" : "s"} on ${devicesCount} device${devicesCount === 1 ? "" : "s"}`,
    paragraphs: [
      `Between ${when(items[0].created_at)} and ${when(items[items.length - 1].created_at)}:`,
      ...(more > 0 ? [`… and ${more} more. The event log lists them all.`] : []),
    ],
    details: listed.map((i) => [deviceLabel(i), `${describe(i)} at ${when(i.created_at)}`]),
    action: { label: more > 0 ? `See all ${items.length} in the event log` : "Open the event log", url: `${portal}/events` },
    footer,
    unsubscribeUrl: links.url,
  });
  return [{ ...base, email }];
}

/** Queues the emails of due notifications; returns how many emails were queued. Loops until none is due or the budget passes. */
export async function processNotifications(db: Db, now: Date = new Date(), budgetMs = 5_000): Promise<number> {
  const started = performance.now();
  let queued = 0;
  for (;;) {
    const { taken, emails } = await db.transaction(async (tx) => {
      const items = await takeDue(tx, now);
      const byMember = new Map<string, Item[]>();
      for (const i of items) {
        const k = `${i.org_id}:${i.user_id}`;
        if (!byMember.has(k)) byMember.set(k, []);
        byMember.get(k)!.push(i);
      }
      const toQueue = (await Promise.all([...byMember.values()].map(emailsFor))).flat();
      const ids = await queueEmails(tx, toQueue, now);
      return { taken: items.length, emails: ids.length };
    });
    queued += emails;
    if (taken === 0 || performance.now() - started > budgetMs) break;
  }
  return queued;
}
