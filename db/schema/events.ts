import { sql } from "drizzle-orm";
import { bigint, bigserial, boolean, index, integer, jsonb, pgTable, text } from "drizzle-orm/pg-core";
import { tstz } from "./_columns";
import { orgs } from "./accounts";
import { webhooks } from "./webhooks";

export const OUTBOX_STATUSES = ["pending", "succeeded", "failed"] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];

/**
 * Immutable event log. `id` is "evt_" + a time-ordered ULID, so ordering by id is ordering by time.
 * The device is snapshotted (udid, name) so events outlive a deleted device.
 */
export const events = pgTable(
  "events",
  {
    id: text("id").primaryKey(),
    orgId: integer("org_id")
      .notNull()
      .references(() => orgs.id, { onDelete: "cascade" }),
    type: text("type").notNull(),
    deviceId: integer("device_id"),
    deviceUdid: text("device_udid"),
    deviceName: text("device_name"),
    /** The event's `data` object. */
    payload: jsonb("payload").$type<Record<string, unknown>>().notNull(),
    createdAt: tstz("created_at").notNull().defaultNow(),
  },
  (t) => [
    // device page: recent events of one device
    index("events_device_created_idx").on(t.deviceId, t.createdAt.desc()),
    // org-wide event lists, newest first
    index("events_org_created_idx").on(t.orgId, t.createdAt.desc()),
    // fleet rollup (recent buckets) and retention (rows older than EVENT_RETENTION_DAYS); BRIN: tiny, append-only
    index("events_created_brin_idx").using("brin", t.createdAt),
  ],
);

/**
 * Transactional outbox: one row per (event × subscribed webhook), written in the same transaction as the event.
 * The delivery engine leases due rows with FOR UPDATE SKIP LOCKED, sends outside any transaction, and writes
 * the outcome back.
 */
export const outbox = pgTable(
  "outbox",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    orgId: integer("org_id")
      .notNull()
      .references(() => orgs.id, { onDelete: "cascade" }),
    eventId: text("event_id")
      .notNull()
      .references(() => events.id, { onDelete: "cascade" }),
    // deleting a webhook deletes its deliveries, so its pending rows stop at once
    webhookId: integer("webhook_id")
      .notNull()
      .references(() => webhooks.id, { onDelete: "cascade" }),
    status: text("status", { enum: OUTBOX_STATUSES }).notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    /** When the row is next due. A lease also pushes this forward, so an expired lease makes the row due again. */
    nextAttemptAt: tstz("next_attempt_at").notNull().defaultNow(),
    lockedUntil: tstz("locked_until"),
    lastStatusCode: integer("last_status_code"),
    lastError: text("last_error"),
    completedAt: tstz("completed_at"),
    createdAt: tstz("created_at").notNull().defaultNow(),
  },
  (t) => [
    // the claim query: pending rows ordered by due time. Partial, so finished rows (the vast majority) never
    // enter it and the claim stays O(batch) however large the table grows.
    index("outbox_pending_due_idx").on(t.nextAttemptAt).where(sql`${t.status} = 'pending'`),
    // delivery log of one webhook, newest first
    index("outbox_webhook_created_idx").on(t.webhookId, t.createdAt.desc()),
    // org-wide delivery log, newest first
    index("outbox_org_created_idx").on(t.orgId, t.createdAt.desc()),
    // event → its deliveries (event detail, cascade)
    index("outbox_event_idx").on(t.eventId),
    // rows of disabled webhooks are parked at next_attempt_at = 'infinity'; resuming those of re-enabled webhooks
    // (every tick) looks them up per webhook here, touching only parked rows
    index("outbox_parked_idx")
      .on(t.webhookId)
      .where(sql`${t.status} = 'pending' and ${t.nextAttemptAt} = 'infinity'::timestamptz`),
    // retention: oldest finished rows first
    index("outbox_completed_idx").on(t.completedAt).where(sql`${t.status} <> 'pending'`),
  ],
);

/** One row per HTTP attempt (real or test), with what was sent and what came back. */
export const deliveryAttempts = pgTable(
  "delivery_attempts",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    orgId: integer("org_id")
      .notNull()
      .references(() => orgs.id, { onDelete: "cascade" }),
    outboxId: bigint("outbox_id", { mode: "number" }).references(() => outbox.id, { onDelete: "cascade" }),
    webhookId: integer("webhook_id").references(() => webhooks.id, { onDelete: "cascade" }),
    eventId: text("event_id"),
    eventType: text("event_type"),
    isTest: boolean("is_test").notNull().default(false),
    requestMethod: text("request_method").notNull(),
    requestUrl: text("request_url").notNull(),
    requestHeaders: jsonb("request_headers").$type<Record<string, string>>().notNull(),
    requestBody: text("request_body").notNull(),
    responseStatus: integer("response_status"),
    responseHeaders: jsonb("response_headers").$type<Record<string, string>>(),
    /** First 16 KB of the response body. */
    responseBody: text("response_body"),
    durationMs: integer("duration_ms"),
    error: text("error"),
    attemptedAt: tstz("attempted_at").notNull().defaultNow(),
  },
  (t) => [
    // delivery detail: attempts of one outbox row in order
    index("delivery_attempts_outbox_idx").on(t.outboxId, t.attemptedAt),
    // webhook page: recent attempts (incl. tests) and 24 h health
    index("delivery_attempts_webhook_idx").on(t.webhookId, t.attemptedAt.desc()),
  ],
);
