import { sql } from "drizzle-orm";
import { index, integer, jsonb, pgTable, serial, text, uniqueIndex } from "drizzle-orm/pg-core";
import { tstz } from "./_columns";
import { orgs, users } from "./accounts";

export const API_KEY_SCOPES = ["read", "write"] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/**
 * Org API keys for /api/v1 ("spk_" + base62). Only the SHA-256 of the key is stored, with a display prefix; the key
 * itself is shown once, at creation.
 */
export const apiKeys = pgTable(
  "api_keys",
  {
    id: serial("id").primaryKey(),
    orgId: integer("org_id")
      .notNull()
      .references(() => orgs.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    scope: text("scope", { enum: API_KEY_SCOPES }).notNull(),
    keyHash: text("key_hash").notNull(),
    prefix: text("prefix").notNull(),
    createdByUserId: integer("created_by_user_id").references(() => users.id, { onDelete: "set null" }),
    createdAt: tstz("created_at").notNull().defaultNow(),
    /** null: never expires. */
    expiresAt: tstz("expires_at"),
    revokedAt: tstz("revoked_at"),
    revokedByUserId: integer("revoked_by_user_id").references(() => users.id, { onDelete: "set null" }),
    lastUsedAt: tstz("last_used_at"),
    lastUsedIp: text("last_used_ip"),
    /** When api_key.expired was recorded (the first time the expired key was refused); at most once. */
    expiredEventAt: tstz("expired_event_at"),
    /** When the "expires in 7 days" alert was queued (once per key). */
    expiryAlertedAt: tstz("expiry_alerted_at"),
  },
  (t) => [
    // authentication: key → row in one probe
    uniqueIndex("api_keys_hash_key").on(t.keyHash),
    // settings page: the org's keys
    index("api_keys_org_idx").on(t.orgId, t.createdAt.desc()),
    // the tick: live keys with an expiry not yet alerted
    index("api_keys_expiry_alert_idx").on(t.expiresAt).where(sql`${t.expiresAt} is not null and ${t.revokedAt} is null and ${t.expiryAlertedAt} is null`),
  ],
);

/**
 * Idempotency-Key of API writes: the first answer to (org, key) is kept for 24 h and replayed for the same request;
 * another request under the same key is refused. `status` null while the first request is still running.
 */
export const idempotencyKeys = pgTable(
  "idempotency_keys",
  {
    id: serial("id").primaryKey(),
    orgId: integer("org_id")
      .notNull()
      .references(() => orgs.id, { onDelete: "cascade" }),
    key: text("key").notNull(),
    /** SHA-256 of method, path and body. */
    requestHash: text("request_hash").notNull(),
    status: integer("status"),
    responseBody: text("response_body"),
    responseHeaders: jsonb("response_headers").$type<Record<string, string>>(),
    createdAt: tstz("created_at").notNull().defaultNow(),
  },
  (t) => [uniqueIndex("idempotency_keys_org_key").on(t.orgId, t.key), index("idempotency_keys_created_idx").on(t.createdAt)],
);
