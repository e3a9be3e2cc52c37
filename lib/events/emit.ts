import "server-only";
import { sql, type SQL } from "drizzle-orm";
import { queryRows, type Db } from "@/db/client";
import { newEventId } from "@/lib/ids";
import type { EventType } from "@/lib/webhooks/catalog";

export type EventInput = {
  type: EventType;
  /** The device the event is about (snapshotted into the event); null for org-level events. */
  device?: { id: number; udid: string; name: string; tags: string[] } | null;
  data: Record<string, unknown>;
};

export type EmittedEvent = { id: string; type: EventType; createdAt: Date };

const textArray = (values: readonly string[]): SQL =>
  values.length ? sql`array[${sql.join(values.map((v) => sql`${v}`), sql`, `)}]::text[]` : sql`'{}'::text[]`;

/**
 * Appends events to the event log and, in the same statement, one outbox row per enabled webhook of the org that
 * subscribes to the event type and whose device scope (all / selected devices / tags) covers the device.
 * Call it inside the transaction that makes the change, so the change, its events and their deliveries commit
 * together or not at all.
 */
export async function emitEvents(
  tx: Db,
  orgId: number,
  inputs: readonly EventInput[],
  now: Date = new Date(),
): Promise<{ events: EmittedEvent[]; deliveries: number }> {
  if (inputs.length === 0) return { events: [], deliveries: 0 };
  const emitted = inputs.map((input) => ({ id: newEventId(now.getTime()), type: input.type, createdAt: now }));
  const values = inputs.map((input, i) => {
    const d = input.device ?? null;
    return sql`(${emitted[i].id}, ${input.type}, ${d?.id ?? null}::int, ${d?.udid ?? null}::text, ${d?.name ?? null}::text, ${JSON.stringify(input.data)}::jsonb, ${textArray(d?.tags ?? [])})`;
  });
  const [row] = await queryRows<{ deliveries: number }>(
    tx,
    sql`
      with input (id, type, device_id, device_udid, device_name, payload, device_tags) as (values ${sql.join(values, sql`, `)}),
      inserted as (
        insert into events (id, org_id, type, device_id, device_udid, device_name, payload, created_at)
        select id, ${orgId}, type, device_id, device_udid, device_name, payload, ${now.toISOString()}::timestamptz from input
        returning id
      ),
      queued as (
        insert into outbox (org_id, event_id, webhook_id, next_attempt_at, created_at)
        select ${orgId}, input.id, w.id, ${now.toISOString()}::timestamptz, ${now.toISOString()}::timestamptz
        from input
        join inserted on inserted.id = input.id
        join webhooks w on w.org_id = ${orgId} and w.enabled and input.type = any (w.events)
        where w.device_scope = 'all'
           or (w.device_scope = 'selected' and input.device_id = any (w.device_ids))
           or (w.device_scope = 'tags' and input.device_tags && w.device_tags)
        returning 1
      )
      select (select count(*) from queued)::int as deliveries`,
  );
  return { events: emitted, deliveries: Number(row?.deliveries ?? 0) };
}
