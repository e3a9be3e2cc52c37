import "server-only";
import { sql, type SQL } from "drizzle-orm";
import { queryRows, type Db } from "@/db/client";
import type { DeliveryFilters } from "@/lib/validation/deliveries";

/**
 * The delivery log: what the browser sees of the outbox and its attempts, always scoped by org (Redeliver and
 * Replay: redeliver.ts). Timestamps are ISO strings so the same objects go to client components and JSON routes.
 */

export type DeliveryStatus = "pending" | "succeeded" | "failed";

export type DeliveryListItem = {
  id: number;
  status: DeliveryStatus;
  /** Attempts in the current retry schedule (reset by Redeliver/Replay). */
  attempts: number;
  /** Every attempt ever made for this delivery (what the log shows). */
  attemptCount: number;
  /** When the next attempt is due (pending only); null while parked behind a disabled webhook. */
  nextAttemptAt: string | null;
  /** Pending but waiting for its webhook to be enabled again. */
  parked: boolean;
  /** Being sent right now (leased by a worker). */
  inFlight: boolean;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: string;
  completedAt: string | null;
  lastAttemptAt: string | null;
  lastDurationMs: number | null;
  eventId: string;
  eventType: string;
  /** The device's id (for a link to its page); null for webhook.test events. */
  deviceId: number | null;
  deviceUdid: string | null;
  deviceName: string | null;
  webhookId: number;
  webhookName: string;
  webhookEnabled: boolean;
};

export type DeliveryPage = { items: DeliveryListItem[]; nextCursor: number | null };

export type DeliveryAttemptView = {
  id: number;
  attemptedAt: string;
  requestMethod: string;
  requestUrl: string;
  /** As sent, with Authorization masked. */
  requestHeaders: Record<string, string>;
  requestBody: string;
  responseStatus: number | null;
  responseHeaders: Record<string, string> | null;
  responseBody: string | null;
  durationMs: number | null;
  error: string | null;
};

export type DeliveryDetail = DeliveryListItem & { payload: Record<string, unknown>; attemptList: DeliveryAttemptView[] };

type ListRow = {
  id: number;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: string | null;
  parked: boolean;
  in_flight: boolean;
  last_status_code: number | null;
  last_error: string | null;
  created_at: string;
  completed_at: string | null;
  last_attempt_at: string | null;
  last_duration_ms: number | null;
  attempt_count: number | null;
  event_id: string;
  event_type: string;
  device_id: number | null;
  device_udid: string | null;
  device_name: string | null;
  webhook_id: number;
  webhook_name: string;
  webhook_enabled: boolean;
  payload?: Record<string, unknown>;
};

const toIso = (v: string | Date | null): string | null => (v == null ? null : new Date(v).toISOString());

function toItem(r: ListRow): DeliveryListItem {
  return {
    id: Number(r.id),
    status: r.status,
    attempts: Number(r.attempts),
    nextAttemptAt: r.status === "pending" && !r.parked ? toIso(r.next_attempt_at) : null,
    parked: Boolean(r.parked),
    inFlight: Boolean(r.in_flight),
    lastStatusCode: r.last_status_code == null ? null : Number(r.last_status_code),
    lastError: r.last_error,
    createdAt: toIso(r.created_at)!,
    completedAt: toIso(r.completed_at),
    lastAttemptAt: toIso(r.last_attempt_at),
    lastDurationMs: r.last_duration_ms == null ? null : Number(r.last_duration_ms),
    attemptCount: Number(r.attempt_count ?? 0),
    eventId: r.event_id,
    eventType: r.event_type,
    deviceId: r.device_id == null ? null : Number(r.device_id),
    deviceUdid: r.device_udid,
    deviceName: r.device_name,
    webhookId: Number(r.webhook_id),
    webhookName: r.webhook_name,
    webhookEnabled: Boolean(r.webhook_enabled),
  };
}

// 'infinity' timestamps do not survive JS Date parsing, so parked rows are flagged in SQL and their time nulled.
const SELECT_ITEM = (now: Date) => sql`
  o.id, o.status, o.attempts,
  case when o.next_attempt_at = 'infinity' then null else o.next_attempt_at end as next_attempt_at,
  (o.status = 'pending' and (o.next_attempt_at = 'infinity' or not w.enabled)) as parked,
  (o.status = 'pending' and o.locked_until is not null and o.locked_until > ${now.toISOString()}::timestamptz) as in_flight,
  o.last_status_code, o.last_error, o.created_at, o.completed_at,
  la.attempted_at as last_attempt_at, la.duration_ms as last_duration_ms, la.attempt_count,
  o.event_id, e.type as event_type, e.device_id, e.device_udid, e.device_name,
  o.webhook_id, w.name as webhook_name, w.enabled as webhook_enabled`;

const LAST_ATTEMPT = sql`
  left join lateral (
    select a.attempted_at, a.duration_ms, count(*) over ()::int as attempt_count from delivery_attempts a
    where a.outbox_id = o.id order by a.attempted_at desc, a.id desc limit 1
  ) la on true`;

/** One page of the org's deliveries (optionally one webhook's), newest first, with filters; keyset on id. */
export async function listDeliveries(
  db: Db,
  orgId: number,
  filters: DeliveryFilters & { webhookId?: number; createdAfter?: Date; createdBefore?: Date },
  now: Date = new Date(),
): Promise<DeliveryPage> {
  const limit = filters.limit ?? 50;
  const where: SQL[] = [sql`o.org_id = ${orgId}`];
  if (filters.webhookId !== undefined) where.push(sql`o.webhook_id = ${filters.webhookId}`);
  if (filters.status) where.push(sql`o.status = ${filters.status}`);
  if (filters.eventType) where.push(sql`e.type = ${filters.eventType}`);
  if (filters.device) where.push(sql`e.device_udid = ${filters.device}`);
  if (filters.before) where.push(sql`o.id < ${filters.before}`);
  if (filters.createdAfter) where.push(sql`o.created_at >= ${filters.createdAfter.toISOString()}::timestamptz`);
  if (filters.createdBefore) where.push(sql`o.created_at < ${filters.createdBefore.toISOString()}::timestamptz`);
  const rows = await queryRows<ListRow>(
    db,
    sql`select ${SELECT_ITEM(now)}
        from outbox o
        join events e on e.id = o.event_id
        join webhooks w on w.id = o.webhook_id
        ${LAST_ATTEMPT}
        where ${sql.join(where, sql` and `)}
        order by o.id desc
        limit ${limit + 1}`,
  );
  const items = rows.slice(0, limit).map(toItem);
  return { items, nextCursor: rows.length > limit ? items[items.length - 1].id : null };
}

/** One delivery with its event payload and every attempt (oldest first), or null outside the org. */
export async function getDelivery(db: Db, orgId: number, id: number, now: Date = new Date()): Promise<DeliveryDetail | null> {
  const [row] = await queryRows<ListRow>(
    db,
    sql`select ${SELECT_ITEM(now)}, e.payload
        from outbox o
        join events e on e.id = o.event_id
        join webhooks w on w.id = o.webhook_id
        ${LAST_ATTEMPT}
        where o.org_id = ${orgId} and o.id = ${id}`,
  );
  if (!row) return null;
  const attempts = await queryRows<{
    id: number;
    attempted_at: string;
    request_method: string;
    request_url: string;
    request_headers: Record<string, string>;
    request_body: string;
    response_status: number | null;
    response_headers: Record<string, string> | null;
    response_body: string | null;
    duration_ms: number | null;
    error: string | null;
  }>(
    db,
    sql`select id, attempted_at, request_method, request_url, request_headers, request_body, response_status,
               response_headers, response_body, duration_ms, error
        from delivery_attempts
        where org_id = ${orgId} and outbox_id = ${id}
        order by attempted_at, id`,
  );
  return {
    ...toItem(row),
    payload: row.payload ?? {},
    attemptList: attempts.map((a) => ({
      id: Number(a.id),
      attemptedAt: toIso(a.attempted_at)!,
      requestMethod: a.request_method,
      requestUrl: a.request_url,
      requestHeaders: a.request_headers ?? {},
      requestBody: a.request_body,
      responseStatus: a.response_status == null ? null : Number(a.response_status),
      responseHeaders: a.response_headers,
      responseBody: a.response_body,
      durationMs: a.duration_ms == null ? null : Number(a.duration_ms),
      error: a.error,
    })),
  };
}


/** A test event sent from a saved webhook (Send test event): logged as an attempt with is_test, no outbox row. */
export type TestSendItem = {
  id: number;
  /** Always true: the log marks these "Test". */
  isTest: true;
  attemptedAt: string;
  eventId: string | null;
  eventType: string | null;
  requestMethod: string;
  requestUrl: string;
  /** As sent, with Authorization masked. */
  requestHeaders: Record<string, string>;
  requestBody: string;
  responseStatus: number | null;
  responseHeaders: Record<string, string> | null;
  responseBody: string | null;
  durationMs: number | null;
  error: string | null;
};

/**
 * The latest test sends of one webhook, newest first (the webhook's delivery log lists them marked Test). They are
 * not deliveries: no retries, and the health figures leave them out. Served by delivery_attempts_webhook_idx.
 */
export async function listTestSends(db: Db, orgId: number, webhookId: number, limit = 20): Promise<TestSendItem[]> {
  const rows = await queryRows<{
    id: number;
    attempted_at: string;
    event_id: string | null;
    event_type: string | null;
    request_method: string;
    request_url: string;
    request_headers: Record<string, string> | null;
    request_body: string | null;
    response_status: number | null;
    response_headers: Record<string, string> | null;
    response_body: string | null;
    duration_ms: number | null;
    error: string | null;
  }>(
    db,
    sql`select id, attempted_at, event_id, event_type, request_method, request_url, request_headers, request_body,
               response_status, response_headers, response_body, duration_ms, error
        from delivery_attempts
        where webhook_id = ${webhookId} and org_id = ${orgId} and is_test
        order by attempted_at desc, id desc
        limit ${Math.max(1, Math.min(100, Math.floor(limit)))}`,
  );
  return rows.map((a) => ({
    id: Number(a.id),
    isTest: true,
    attemptedAt: toIso(a.attempted_at)!,
    eventId: a.event_id,
    eventType: a.event_type,
    requestMethod: a.request_method,
    requestUrl: a.request_url,
    requestHeaders: a.request_headers ?? {},
    requestBody: a.request_body ?? "",
    responseStatus: a.response_status == null ? null : Number(a.response_status),
    responseHeaders: a.response_headers,
    responseBody: a.response_body,
    durationMs: a.duration_ms == null ? null : Number(a.duration_ms),
    error: a.error,
  }));
}

export type HealthBucket = { hour: string; succeeded: number; failed: number };

/**
 * Attempts of one webhook (real deliveries, not tests) over the last 24 hours in 24 hourly buckets, oldest first:
 * 2xx count as succeeded, everything else as failed. Served by delivery_attempts_webhook_idx.
 */
export async function deliveryHealth(db: Db, orgId: number, webhookId: number, now: Date = new Date()): Promise<HealthBucket[]> {
  const end = new Date(Math.floor(now.getTime() / 3_600_000) * 3_600_000 + 3_600_000);
  const start = new Date(end.getTime() - 24 * 3_600_000);
  const rows = await queryRows<{ bucket: number; succeeded: number; failed: number }>(
    db,
    sql`select floor(extract(epoch from (attempted_at - ${start.toISOString()}::timestamptz)) / 3600)::int as bucket,
               count(*) filter (where response_status between 200 and 299)::int as succeeded,
               count(*) filter (where response_status is null or response_status not between 200 and 299)::int as failed
        from delivery_attempts
        where webhook_id = ${webhookId} and org_id = ${orgId} and not is_test
          and attempted_at >= ${start.toISOString()}::timestamptz and attempted_at < ${end.toISOString()}::timestamptz
        group by 1`,
  );
  const byBucket = new Map(rows.map((r) => [Number(r.bucket), r]));
  return Array.from({ length: 24 }, (_, i) => {
    const r = byBucket.get(i);
    return {
      hour: new Date(start.getTime() + i * 3_600_000).toISOString(),
      succeeded: Number(r?.succeeded ?? 0),
      failed: Number(r?.failed ?? 0),
    };
  });
}

