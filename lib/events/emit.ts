import "server-only";
import { sql, type SQL } from "drizzle-orm";
import { preparedRows, type Db } from "@/db/client";
import { newEventId } from "@/lib/ids";
import type { EventType } from "@/lib/webhooks/catalog";

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
  /** Their ids, for the in-process dispatcher (lib/webhooks/kick.ts). */
  outboxIds: number[];
};


/**
 * The common table expressions that append events and queue their deliveries: `input` (the events),
 * `inserted` (into events) and `queued` (one outbox row per enabled webhook of the org that subscribes to the
 * event type and whose device scope — all / selected devices / tags — covers the device; `returning id`).
 * With `onlyIf`, nothing is written unless that condition holds (a contact's compare-and-set of its device row).
 * Embed them in a larger statement with `with …, ${eventsCte(…)} select …` so the change, its events and their
 * deliveries commit together, in one round trip.
 */
export function eventsCte(orgId: number, inputs: readonly EventInput[], emitted: readonly EmittedEvent[], now: Date, onlyIf?: SQL): SQL {
  const at = now.toISOString();
  const values = inputs.map((input, i) => {
    const d = input.device ?? null;
    return sql`(${emitted[i].id}, ${input.type}, ${d?.id ?? null}::int, ${d?.udid ?? null}::text, ${d?.name ?? null}::text, ${JSON.stringify(input.data)}::jsonb, ${sql.param(d?.tags ?? [])}::text[])`;
  });
  return sql`
      input (id, type, device_id, device_udid, device_name, payload, device_tags) as (values ${sql.join(values, sql`, `)}),
      inserted as (
        insert into events (id, org_id, type, device_id, device_udid, device_name, payload, created_at)
        select id, ${orgId}, type, device_id, device_udid, device_name, payload, ${at}::timestamptz from input
        ${onlyIf ? sql`where ${onlyIf}` : sql``}
        returning id
      ),
      queued as (
        insert into outbox (org_id, event_id, webhook_id, next_attempt_at, created_at)
        select ${orgId}, input.id, w.id, ${at}::timestamptz, ${at}::timestamptz
        from input
        join inserted on inserted.id = input.id
        join webhooks w on w.org_id = ${orgId} and w.enabled and input.type = any (w.events)
        where w.device_scope = 'all'
           or (w.device_scope = 'selected' and input.device_id = any (w.device_ids))
           or (w.device_scope = 'tags' and input.device_tags && w.device_tags)
        returning id
      )`;
}

/** Ids for a batch of events created at `now` (time-ordered). */
export function newEvents(inputs: readonly EventInput[], now: Date): EmittedEvent[] {
  return inputs.map((input) => ({ id: newEventId(now.getTime()), type: input.type, createdAt: now }));
}

/** Reads the `queued` ids a statement built with eventsCte returned as `outbox_ids`. */
export const queuedIdsSql = sql`(select coalesce(array_agg(id order by id), '{}') from queued) as outbox_ids`;

export function toIds(value: unknown): number[] {
  if (Array.isArray(value)) return value.map(Number);
  // PGlite/pg return int8[] parsed; a text form '{1,2}' is handled for safety
  if (typeof value === "string") return value.replace(/[{}]/g, "").split(",").filter(Boolean).map(Number);
  return [];
}

/**
 * Appends events to the event log and, in the same statement, their outbox rows (see eventsCte).
 * Call it inside the transaction that makes the change, so the change, its events and their deliveries commit
 * together or not at all.
 */
export async function emitEvents(tx: Db, orgId: number, inputs: readonly EventInput[], now: Date = new Date()): Promise<Emitted> {
  if (inputs.length === 0) return { events: [], deliveries: 0, outboxIds: [] };
  const emitted = newEvents(inputs, now);
  const [row] = await preparedRows<{ outbox_ids: unknown }>(
    tx,
    sql`with ${eventsCte(orgId, inputs, emitted, now)} select ${queuedIdsSql}`,
  );
  const outboxIds = toIds(row?.outbox_ids);
  return { events: emitted, deliveries: outboxIds.length, outboxIds };
}
