import "server-only";
import { sql, type SQL } from "drizzle-orm";
import { queryRows, type Db } from "@/db/client";
import type { DeliveryStatus } from "./log";

/**
 * The event log as the API and the Events page read it: every event the org produced, whether or not a webhook
 * subscribed, newest first (ids are time-ordered), each with its deliveries. Always scoped by org.
 */

export type EventView = {
  id: string;
  type: string;
  deviceId: number | null;
  deviceUdid: string | null;
  deviceName: string | null;
  data: Record<string, unknown>;
  createdAt: string;
  /** Deliveries queued for it (one per subscribed webhook). */
  deliveryCount: number;
};

export type EventDeliveryView = {
  id: number;
  webhookId: number;
  webhookName: string;
  status: DeliveryStatus;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: string;
  completedAt: string | null;
};

export type EventFilters = {
  limit: number;
  /** An event id: the page holds older events than it. */
  startingAfter?: string;
  type?: string;
  deviceUdid?: string;
  deviceId?: number;
  createdAfter?: Date;
  createdBefore?: Date;
  /** Substring of the type, the device's UDID or name, or the event id (the Events page's search box). */
  q?: string;
};

type Row = {
  id: string;
  type: string;
  device_id: number | null;
  device_udid: string | null;
  device_name: string | null;
  payload: Record<string, unknown>;
  created_at: string | Date;
  delivery_count: number;
};

const toView = (r: Row): EventView => ({
  id: r.id,
  type: r.type,
  deviceId: r.device_id == null ? null : Number(r.device_id),
  deviceUdid: r.device_udid,
  deviceName: r.device_name,
  data: r.payload ?? {},
  createdAt: new Date(r.created_at).toISOString(),
  deliveryCount: Number(r.delivery_count ?? 0),
});

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

const SELECT = sql`e.id, e.type, e.device_id, e.device_udid, e.device_name, e.payload, e.created_at,
  (select count(*)::int from outbox o where o.event_id = e.id) as delivery_count`;

/** One page of the org's events, newest first, filtered; keyset on the (time-ordered) id. */
export async function listEvents(db: Db, orgId: number, filters: EventFilters): Promise<{ events: EventView[]; hasMore: boolean }> {
  const where: SQL[] = [sql`e.org_id = ${orgId}`];
  if (filters.startingAfter) where.push(sql`e.id < ${filters.startingAfter}`);
  if (filters.type) where.push(sql`e.type = ${filters.type}`);
  if (filters.deviceUdid) where.push(sql`e.device_udid = ${filters.deviceUdid}`);
  if (filters.deviceId) where.push(sql`e.device_id = ${filters.deviceId}`);
  if (filters.createdAfter) where.push(sql`e.created_at >= ${filters.createdAfter.toISOString()}::timestamptz`);
  if (filters.createdBefore) where.push(sql`e.created_at < ${filters.createdBefore.toISOString()}::timestamptz`);
  if (filters.q) {
    const p = `%${escapeLike(filters.q)}%`;
    where.push(sql`(e.type ilike ${p} or e.device_udid ilike ${p} or e.device_name ilike ${p} or e.id = ${filters.q})`);
  }
  const rows = await queryRows<Row>(
    db,
    sql`select ${SELECT} from events e where ${sql.join(where, sql` and `)} order by e.id desc limit ${filters.limit + 1}`,
  );
  return { events: rows.slice(0, filters.limit).map(toView), hasMore: rows.length > filters.limit };
}

/** One event of the org with its deliveries, or null. */
export async function getEvent(db: Db, orgId: number, id: string): Promise<(EventView & { deliveries: EventDeliveryView[] }) | null> {
  const [row] = await queryRows<Row>(db, sql`select ${SELECT} from events e where e.org_id = ${orgId} and e.id = ${id}`);
  if (!row) return null;
  const deliveries = await queryRows<{
    id: number;
    webhook_id: number;
    webhook_name: string;
    status: DeliveryStatus;
    attempts: number;
    last_status_code: number | null;
    last_error: string | null;
    created_at: string | Date;
    completed_at: string | Date | null;
  }>(
    db,
    sql`select o.id, o.webhook_id, w.name as webhook_name, o.status, o.attempts, o.last_status_code, o.last_error, o.created_at, o.completed_at
        from outbox o join webhooks w on w.id = o.webhook_id
        where o.org_id = ${orgId} and o.event_id = ${id}
        order by o.id`,
  );
  return {
    ...toView(row),
    deliveries: deliveries.map((d) => ({
      id: Number(d.id),
      webhookId: Number(d.webhook_id),
      webhookName: d.webhook_name,
      status: d.status,
      attempts: Number(d.attempts),
      lastStatusCode: d.last_status_code == null ? null : Number(d.last_status_code),
      lastError: d.last_error,
      createdAt: new Date(d.created_at).toISOString(),
      completedAt: d.completed_at ? new Date(d.completed_at).toISOString() : null,
    })),
  };
}
