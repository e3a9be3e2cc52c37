import { sql } from "drizzle-orm";
import { bigserial, boolean, foreignKey, index, integer, pgTable, primaryKey, text } from "drizzle-orm/pg-core";
import { tstz } from "./_columns";
import { memberships, orgs } from "./accounts";
import { devices } from "./devices";
import { events } from "./events";

export const NOTIFICATION_MODES = ["each", "digest"] as const;
export type NotificationMode = (typeof NOTIFICATION_MODES)[number];
/** The digest windows a member can pick (minutes). */
export const DIGEST_MINUTES = [5, 15, 60] as const;
export const NOTIFICATION_SCOPES = ["all", "selected", "tags"] as const;
export type NotificationScope = (typeof NOTIFICATION_SCOPES)[number];

/**
 * My notifications: one row per member per org (none = the defaults: no device notifications, operational alerts
 * on for owners and admins). `events` empty = no device notifications. Deleted with the membership, so a member
 * who leaves stops matching at once (and their pending items go with it).
 */
export const notificationPrefs = pgTable(
  "notification_prefs",
  {
    orgId: integer("org_id")
      .notNull()
      .references(() => orgs.id, { onDelete: "cascade" }),
    userId: integer("user_id").notNull(),
    events: text("events").array().notNull().default(sql`'{}'::text[]`),
    deviceScope: text("device_scope", { enum: NOTIFICATION_SCOPES }).notNull().default("all"),
    deviceIds: integer("device_ids").array().notNull().default(sql`'{}'::integer[]`),
    deviceTags: text("device_tags").array().notNull().default(sql`'{}'::text[]`),
    mode: text("mode", { enum: NOTIFICATION_MODES }).notNull().default("each"),
    digestMinutes: integer("digest_minutes").notNull().default(15),
    /** Operational alerts (owners and admins only): on unless turned off here or by an unsubscribe link. */
    alerts: boolean("alerts").notNull().default(true),
    updatedAt: tstz("updated_at").notNull().defaultNow(),
  },
  (t) => [
    // the primary key's org_id prefix serves the emit-time match (… where org_id = $1)
    primaryKey({ columns: [t.orgId, t.userId] }),
    foreignKey({ columns: [t.orgId, t.userId], foreignColumns: [memberships.orgId, memberships.userId] }).onDelete("cascade"),
  ],
);

/**
 * Events waiting to be emailed to a member: written by the statement that records the event (lib/delivery/emit.ts),
 * so they commit with it; taken (deleted) by the notification pass in the transaction that queues the email, so a
 * crash loses none and sends none twice. `due_at`: the event's time (each event) or the end of its digest window.
 */
export const notificationItems = pgTable(
  "notification_items",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    orgId: integer("org_id").notNull(),
    userId: integer("user_id").notNull(),
    eventId: text("event_id")
      .notNull()
      .references(() => events.id, { onDelete: "cascade" }),
    dueAt: tstz("due_at").notNull(),
    createdAt: tstz("created_at").notNull().defaultNow(),
  },
  (t) => [
    foreignKey({ columns: [t.orgId, t.userId], foreignColumns: [notificationPrefs.orgId, notificationPrefs.userId] }).onDelete("cascade"),
    // the pass: what is due
    index("notification_items_due_idx").on(t.dueAt),
    // the pass: one member's pending items, oldest first
    index("notification_items_member_idx").on(t.orgId, t.userId, t.id),
    index("notification_items_event_idx").on(t.eventId),
  ],
);

/**
 * Uses of a revoked device token, counted per device in a fixed one-hour window (one upsert per refusal). Past the
 * threshold, `alert_due` is set — at most once per device per day (`alerted_at`) — and the tick queues the alert.
 */
export const revokedTokenUses = pgTable(
  "revoked_token_uses",
  {
    deviceId: integer("device_id")
      .primaryKey()
      .references(() => devices.id, { onDelete: "cascade" }),
    orgId: integer("org_id").notNull(),
    windowStartedAt: tstz("window_started_at").notNull(),
    uses: integer("uses").notNull().default(0),
    lastIp: text("last_ip"),
    alertedAt: tstz("alerted_at"),
    alertDue: boolean("alert_due").notNull().default(false),
  },
  (t) => [index("revoked_token_uses_due_idx").on(t.deviceId).where(sql`${t.alertDue}`)],
);
