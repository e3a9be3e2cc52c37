import { sql } from "drizzle-orm";
import { bigserial, index, integer, jsonb, pgTable, serial, text, uniqueIndex } from "drizzle-orm/pg-core";
import { timestamps, tstz } from "./_columns";
import { orgs } from "./accounts";

export const DEVICE_STATUSES = ["online", "offline", "utilizing", "unplugged"] as const;
export type DeviceStatus = (typeof DEVICE_STATUSES)[number];

/** A managed device. `udid` is unique per org; status is driven by the status API and the presence sweep. */
export const devices = pgTable(
  "devices",
  {
    id: serial("id").primaryKey(),
    orgId: integer("org_id")
      .notNull()
      .references(() => orgs.id, { onDelete: "cascade" }),
    udid: text("udid").notNull(),
    name: text("name").notNull(),
    tags: text("tags").array().notNull().default(sql`'{}'::text[]`),
    status: text("status", { enum: DEVICE_STATUSES }).notNull().default("offline"),
    lastSeenAt: tstz("last_seen_at"),
    registeredAt: tstz("registered_at"),
    firmwareVersion: text("firmware_version"),
    offlineAfterSeconds: integer("offline_after_seconds").notNull().default(300),
    /** last_seen_at + offline_after_seconds, kept on every contact so the presence sweep is one indexed range scan. */
    presenceDeadline: tstz("presence_deadline"),
    /** When the last device.authentication.failed event was recorded (at most one a minute). */
    authFailureEventAt: tstz("auth_failure_event_at"),
    /** The client address of the last contact (status API), as the server saw it. */
    lastContactIp: text("last_contact_ip"),
    /** Last-known value of every signal: name → { v: value, at: ISO time }, merged on each contact that reports signals. */
    lastSignals: jsonb("last_signals").$type<Record<string, { v: unknown; at: string }>>(),
    ...timestamps,
  },
  (t) => [
    // status API lookup and the per-org uniqueness rule
    uniqueIndex("devices_org_udid_key").on(t.orgId, t.udid),
    // status API: a bad token for a known udid records device.authentication.failed (lookup by udid alone)
    index("devices_udid_idx").on(t.udid),
    // devices page: list ordered by name within an org
    index("devices_org_name_idx").on(t.orgId, t.name, t.id),
    // devices page: filter by status within an org
    index("devices_org_status_idx").on(t.orgId, t.status),
    // devices page: filter by tag (tags @> '{x}')
    index("devices_tags_gin_idx").using("gin", t.tags),
    // presence sweep: due devices that are not offline yet
    index("devices_presence_due_idx").on(t.presenceDeadline).where(sql`${t.status} <> 'offline'`),
    // fleet overview: devices that went offline most recently
    index("devices_org_offline_seen_idx")
      .on(t.orgId, t.lastSeenAt.desc())
      .where(sql`${t.status} = 'offline' and ${t.lastSeenAt} is not null`),
    // fleet overview and the "Never connected" filter: devices that never made contact
    index("devices_org_never_connected_idx")
      .on(t.orgId, t.name, t.id)
      .where(sql`${t.status} = 'offline' and ${t.lastSeenAt} is null`),
  ],
);

/** Device API tokens, stored as SHA-256 hex; only the prefix is kept for display. */
export const deviceTokens = pgTable(
  "device_tokens",
  {
    id: serial("id").primaryKey(),
    orgId: integer("org_id")
      .notNull()
      .references(() => orgs.id, { onDelete: "cascade" }),
    deviceId: integer("device_id")
      .notNull()
      .references(() => devices.id, { onDelete: "cascade" }),
    tokenHash: text("token_hash").notNull(),
    prefix: text("prefix").notNull(),
    createdAt: tstz("created_at").notNull().defaultNow(),
    lastUsedAt: tstz("last_used_at"),
    revokedAt: tstz("revoked_at"),
  },
  (t) => [
    // status API: token → device in one probe
    uniqueIndex("device_tokens_hash_key").on(t.tokenHash),
    index("device_tokens_device_idx").on(t.deviceId),
  ],
);

/** Device telemetry values as received. */
export const signals = pgTable(
  "signals",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    orgId: integer("org_id")
      .notNull()
      .references(() => orgs.id, { onDelete: "cascade" }),
    deviceId: integer("device_id")
      .notNull()
      .references(() => devices.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    value: jsonb("value").notNull(),
    receivedAt: tstz("received_at").notNull().defaultNow(),
  },
  (t) => [
    // device page: recent signals of one device
    index("signals_device_received_idx").on(t.deviceId, t.receivedAt.desc()),
    // signal charts: one signal of one device over a time range
    index("signals_device_name_received_idx").on(t.deviceId, t.name, t.receivedAt),
    // retention: rows older than SIGNAL_RETENTION_DAYS (BRIN: tiny, cheap to maintain on an append-only table)
    index("signals_received_brin_idx").using("brin", t.receivedAt),
  ],
);
