import { index, integer, pgTable, primaryKey, text } from "drizzle-orm/pg-core";
import { tstz } from "./_columns";
import { orgs } from "./accounts";

/**
 * Pre-aggregated fleet activity, per org and per 5-minute bucket (bucket = the interval's start), maintained by the
 * periodic tick (lib/fleet/rollup.ts) so the fleet overview reads a few hundred rows instead of scanning raw events.
 * Kept longer than the raw rows (FLEET_AGGREGATE_RETENTION_DAYS).
 */
export const fleetEventCounts = pgTable(
  "fleet_event_counts",
  {
    orgId: integer("org_id")
      .notNull()
      .references(() => orgs.id, { onDelete: "cascade" }),
    bucket: tstz("bucket").notNull(),
    type: text("type").notNull(),
    count: integer("count").notNull(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.bucket, t.type] }), index("fleet_event_counts_bucket_idx").on(t.bucket)],
);

/** Deliveries finished per bucket (by completed_at) and final outcome ("succeeded" / "failed"). */
export const fleetDeliveryCounts = pgTable(
  "fleet_delivery_counts",
  {
    orgId: integer("org_id")
      .notNull()
      .references(() => orgs.id, { onDelete: "cascade" }),
    bucket: tstz("bucket").notNull(),
    outcome: text("outcome").notNull(),
    count: integer("count").notNull(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.bucket, t.outcome] }), index("fleet_delivery_counts_bucket_idx").on(t.bucket)],
);

/** Device-status occupancy: the org's devices per status, sampled by the tick once per bucket. */
export const fleetStatusSamples = pgTable(
  "fleet_status_samples",
  {
    orgId: integer("org_id")
      .notNull()
      .references(() => orgs.id, { onDelete: "cascade" }),
    bucket: tstz("bucket").notNull(),
    online: integer("online").notNull(),
    offline: integer("offline").notNull(),
    utilizing: integer("utilizing").notNull(),
    unplugged: integer("unplugged").notNull(),
    /** Offline devices that never made contact (counted apart from `offline`). */
    neverConnected: integer("never_connected").notNull(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.bucket] }), index("fleet_status_samples_bucket_idx").on(t.bucket)],
);

/** How far each rollup has got ("events", "deliveries", "status"): the tick's watermark and throttle. */
export const fleetRollups = pgTable("fleet_rollups", {
  name: text("name").primaryKey(),
  doneUntil: tstz("done_until").notNull(),
});
