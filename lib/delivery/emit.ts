import "server-only";
import { sql, type SQL } from "drizzle-orm";
import { preparedRows, type Db } from "@/db/client";
import { newEventId } from "@/lib/ids";
import type { EventType } from "@/lib/events/catalog";
import { webhookVersionSql } from "./claim";

export type EventInput = {
  type: EventType;
  /** The device the event is about (snapshotted into the event); null for org-level events. */
  device?: { id: number; udid: string; name: string; tags: string[] } | null;
  data: Record<string, unknown>;
};

export type EmittedEvent = { id: string; type: EventType; createdAt: Date };

export type Emitted = {
  events: EmittedEvent[];
  /** Outbox rows queued (0 when no webhook subscribes). */
  deliveries: number;
  /** Their ids, for the in-process dispatcher (lib/delivery/kick.ts). */
  outboxIds: number[];
};

/**
 * The common table expressions that append events and queue their deliveries: `input` (the events),
 * `inserted` (into events), `queued` (one outbox row per enabled webhook of the org that subscribes to the
 * event type and whose device scope — all / selected devices / tags — covers the device; `returning id`) and
 * `notified` (one notification_items row per member whose My notifications match the same way; emailed by
 * lib/notifications/pass.ts). All members' matches are one insert … select, whatever their number.
 * With `onlyIf`, nothing is written unless that condition holds (a contact's compare-and-set of its device row).
 * Embed them in a larger statement with `with …, ${eventsCte(…)} select …` so the change, its events and their
 * deliveries commit together, in one round trip.
 */
export function eventsCte(
  orgId: number,
  inputs: readonly EventInput[],
  emitted: readonly EmittedEvent[],
  now: Date,
  onlyIf?: SQL,
  leaseUntil?: Date | null,
): SQL {
  const at = now.toISOString();
  // Rows born leased (attempts = 1, due when the lease ends) belong to this process's dispatcher at once, as if
  // it had claimed them: no claim statement per request. Not sent by the lease's end → due for any worker.
  const lease = leaseUntil ? leaseUntil.toISOString() : null;
  const values = inputs.map((input, i) => {
    const d = input.device ?? null;
    return sql`(${emitted[i].id}, ${input.type}, ${d?.id ?? null}::int, ${d?.udid ?? null}::text, ${d?.name ?? null}::text, ${JSON.stringify(input.data)}::jsonb, ${sql.param(d?.tags ?? [])}::text[])`;
  });
  return sql`
      input (id, type, device_id, device_udid, device_name, payload, device_tags) as (values ${sql.join(values, sql`, `)}),
      ${insertInputCte(orgId, at, onlyIf, lease)}`;
}

/**
 * eventsCte for many events at once (`inserted` and `queued`, no `input` and no onlyIf): the events come as ONE
 * JSON parameter instead of a VALUES list, so a statement can carry tens of thousands of events (a VALUES list
 * would pass the 65,535 bind-parameter limit). The devices of the events must be locked by the caller.
 */
export function eventsJsonCte(orgId: number, inputs: readonly EventInput[], emitted: readonly EmittedEvent[], now: Date): SQL {
  const rows = inputs.map((input, i) => ({
    id: emitted[i].id,
    type: input.type,
    device_id: input.device?.id ?? null,
    device_udid: input.device?.udid ?? null,
    device_name: input.device?.name ?? null,
    payload: input.data,
  }));
  const at = now.toISOString();
  // The planner guesses 100 rows for jsonb_to_recordset, so joining `input` to `inserted` (as eventsCte does) would
  // run as a nested loop: n² comparisons at 10,000 events. Every input row is inserted here (no onlyIf), so the
  // outbox rows come straight from what the insert returns; a tag-scoped webhook reads the device's tags by primary
  // key (callers hold the devices' rows locked, so they are the tags the events snapshot).
  return sql`
      inserted as (
        insert into events (id, org_id, type, device_id, device_udid, device_name, payload, created_at)
        select id, ${orgId}, type, device_id, device_udid, device_name, payload, ${at}::timestamptz
        from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
          as r(id text, type text, device_id int, device_udid text, device_name text, payload jsonb)
        returning id, type, device_id, payload
      ),
      queued as (
        insert into outbox (org_id, event_id, webhook_id, next_attempt_at, created_at, attempts, locked_until)
        select ${orgId}, i.id, w.id, ${at}::timestamptz, ${at}::timestamptz, 0, null
        from inserted i
        join webhooks w on w.org_id = ${orgId} and w.enabled and i.type = any (w.events)
        where w.device_scope = 'all'
           or (w.device_scope = 'selected' and i.device_id = any (w.device_ids))
           or (w.device_scope = 'tags' and (select d.tags from devices d where d.id = i.device_id) && w.device_tags)
        returning id, event_id, webhook_id
      ),
      notified as (
        insert into notification_items (org_id, user_id, event_id, due_at, created_at)
        select ${orgId}, p.user_id, i.id, ${notifyDueSql(at)}, ${at}::timestamptz
        from inserted i
        join notification_prefs p on p.org_id = ${orgId} and i.type = any (p.events)
        where p.device_scope = 'all'
           or (p.device_scope = 'selected' and i.device_id = any (p.device_ids))
           or (p.device_scope = 'tags' and (select d.tags from devices d where d.id = i.device_id) && p.device_tags)
      )`;
}

/**
 * When a member's notification item is due: at once (each event) or at the end of the digest window that the
 * event opens. The pass takes all of a member's pending items once any is due, so a digest lists the window.
 */
function notifyDueSql(at: string): SQL {
  return sql`case when p.mode = 'digest' then ${at}::timestamptz + make_interval(mins => p.digest_minutes) else ${at}::timestamptz end`;
}

/** `inserted` and `queued` over an `input` CTE (see eventsCte). */
function insertInputCte(orgId: number, at: string, onlyIf: SQL | undefined, lease: string | null): SQL {
  return sql`
      inserted as (
        insert into events (id, org_id, type, device_id, device_udid, device_name, payload, created_at)
        select id, ${orgId}, type, device_id, device_udid, device_name, payload, ${at}::timestamptz from input
        ${onlyIf ? sql`where ${onlyIf}` : sql``}
        returning id, payload
      ),
      queued as (
        insert into outbox (org_id, event_id, webhook_id, next_attempt_at, created_at, attempts, locked_until)
        select ${orgId}, input.id, w.id, ${lease ?? at}::timestamptz, ${at}::timestamptz, ${lease ? 1 : 0}::int,
          ${lease}::timestamptz
        from input
        join inserted on inserted.id = input.id
        join webhooks w on w.org_id = ${orgId} and w.enabled and input.type = any (w.events)
        where w.device_scope = 'all'
           or (w.device_scope = 'selected' and input.device_id = any (w.device_ids))
           or (w.device_scope = 'tags' and input.device_tags && w.device_tags)
        returning id, event_id, webhook_id
      ),
      notified as (
        insert into notification_items (org_id, user_id, event_id, due_at, created_at)
        select ${orgId}, p.user_id, input.id, ${notifyDueSql(at)}, ${at}::timestamptz
        from input
        join inserted on inserted.id = input.id
        join notification_prefs p on p.org_id = ${orgId} and input.type = any (p.events)
        where p.device_scope = 'all'
           or (p.device_scope = 'selected' and input.device_id = any (p.device_ids))
           or (p.device_scope = 'tags' and input.device_tags && p.device_tags)
      )`;
}

/** Ids for a batch of events created at `now` (time-ordered). */
export function newEvents(inputs: readonly EventInput[], now: Date): EmittedEvent[] {
  return inputs.map((input) => ({ id: newEventId(now.getTime()), type: input.type, createdAt: now }));
}

/** An outbox row a statement built with eventsCte queued. */
export type QueuedDelivery = {
  id: number;
  eventId: string;
  webhookId: number;
  webhookVersion: number;
  /** The event's payload as stored (jsonb orders keys), so every attempt sends the same data. */
  payload: Record<string, unknown>;
};

/**
 * Reads the rows `queued` as `queued`: [id, event id, webhook id, webhook version, payload] each, the version
 * read as the claim reads it (webhookVersionSql, the dispatcher's settings cache key).
 */
export const queuedSql = sql`(
    select coalesce(json_agg(json_build_array(q.id, q.event_id, q.webhook_id,
      ${webhookVersionSql}, i.payload) order by q.id), '[]')
    from queued q join webhooks w on w.id = q.webhook_id join inserted i on i.id = q.event_id) as queued`;

export function toQueued(value: unknown): QueuedDelivery[] {
  type Tuple = [number, string, number, number, Record<string, unknown>];
  const list = (typeof value === "string" ? JSON.parse(value) : (value ?? [])) as Tuple[];
  return list.map(([id, eventId, webhookId, version, payload]) => ({
    id: Number(id),
    eventId,
    webhookId: Number(webhookId),
    webhookVersion: Number(version),
    payload: payload ?? {},
  }));
}

/**
 * Appends events to the event log and, in the same statement, their outbox rows (see eventsCte).
 * Call it inside the transaction that makes the change, so the change, its events and their deliveries commit
 * together or not at all.
 */
export async function emitEvents(tx: Db, orgId: number, inputs: readonly EventInput[], now: Date = new Date()): Promise<Emitted> {
  if (inputs.length === 0) return { events: [], deliveries: 0, outboxIds: [] };
  const emitted = newEvents(inputs, now);
  // only the outbox ids: callers kick them, the kicked pass claims the rows with their events
  const rows = await preparedRows<{ id: number }>(
    tx,
    sql`with ${eventsCte(orgId, inputs, emitted, now)} select q.id from queued q order by q.id`,
  );
  const outboxIds = rows.map((r) => Number(r.id));
  return { events: emitted, deliveries: outboxIds.length, outboxIds };
}
