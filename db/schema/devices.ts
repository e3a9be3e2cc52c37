import { sql } from "drizzle-orm";
import { bigserial, index, integer, jsonb, pgTable, serial, text, uniqueIndex } from "drizzle-orm/pg-core";
import { timestamps, tstz } from "./_columns";
import { orgs } from "./accounts";

export const DEVICE_STATUSES = ["online", "offline", "utilizing", "unplugged"] as const;
export type DeviceStatus = (typeof DEVICE_STATUSES)[number];
export const REPORTED_STATUSES = ["applied", "failed"] as const;

/** A device's config is pending: a version was written that the device has not reported applied. */
export const CONFIG_PENDING_SQL = sql`desired_version > 0 and (reported_version < desired_version or reported_status is distinct from 'applied')`;
/** A device's config failed: its ack of the desired version says failed. */
export const CONFIG_FAILED_SQL = sql`reported_status = 'failed' and reported_version = desired_version`;

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
    // Desired state (lib/devices/desired-state.ts): written by the portal, acknowledged by the device.
    /** Desired configuration (signal-name keys → JSON values, ≤ 16 KB); null until first written. */
    desiredConfig: jsonb("desired_config").$type<Record<string, unknown>>(),
    /** Bumped on every write of the config or the target firmware; 0: never written. */
    desiredVersion: integer("desired_version").notNull().default(0),
    /** Target firmware version, or null for none. */
    desiredFirmware: text("desired_firmware"),
    desiredUpdatedAt: tstz("desired_updated_at"),
    /** Highest version the device acknowledged (0: none), with its outcome. */
    reportedVersion: integer("reported_version").notNull().default(0),
    reportedStatus: text("reported_status", { enum: REPORTED_STATUSES }),
    reportedError: text("reported_error"),
    reportedAt: tstz("reported_at"),
    /** The config of the last version the device reported applied (the portal's diff compares against it). */
    reportedConfig: jsonb("reported_config").$type<Record<string, unknown>>(),
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
    // devices page filters "config pending" / "config failed" and the rollout view (only the few such devices)
    index("devices_config_pending_idx").on(t.orgId, t.name, t.id).where(CONFIG_PENDING_SQL),
    index("devices_config_failed_idx").on(t.orgId, t.name, t.id).where(CONFIG_FAILED_SQL),
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
    /** The token's public reference (`spd_<ref>_<secret>`); null for tokens issued before references. */
    ref: text("ref"),
    prefix: text("prefix").notNull(),
    createdAt: tstz("created_at").notNull().defaultNow(),
    lastUsedAt: tstz("last_used_at"),
    revokedAt: tstz("revoked_at"),
  },
  (t) => [
    // status API: token → device in one probe
    uniqueIndex("device_tokens_hash_key").on(t.tokenHash),
    // a bad secret with a known reference is attributed to that token's device only (device.authentication.failed)
    uniqueIndex("device_tokens_ref_key").on(t.ref),
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
