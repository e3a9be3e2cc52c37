import { sql } from "drizzle-orm";
import { boolean, index, integer, jsonb, pgTable, serial, text, uniqueIndex } from "drizzle-orm/pg-core";
import { timestamps, tstz } from "./_columns";
import { orgs } from "./accounts";

export const WEBHOOK_METHODS = ["POST", "PUT", "PATCH"] as const;
export const WEBHOOK_FORMATS = ["json", "form", "custom"] as const;
export const WEBHOOK_AUTH_TYPES = ["none", "basic", "bearer"] as const;
export const WEBHOOK_DEVICE_SCOPES = ["all", "selected", "tags"] as const;

export type WebhookMethod = (typeof WEBHOOK_METHODS)[number];
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];
export type WebhookAuthType = (typeof WEBHOOK_AUTH_TYPES)[number];
export type WebhookDeviceScope = (typeof WEBHOOK_DEVICE_SCOPES)[number];
/**
 * A custom header or query parameter. A `secret` one is stored with an empty `value` and its value in `sealed`
 * (encrypted, bound to the webhook); it is decrypted only to send, and shown masked everywhere else.
 */
export type NameValue = { name: string; value: string; secret?: boolean; sealed?: string };

/** A receiver endpoint and how to format requests to it (README, "Webhooks"). */
export const webhooks = pgTable(
  "webhooks",
  {
    id: serial("id").primaryKey(),
    orgId: integer("org_id")
      .notNull()
      .references(() => orgs.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    url: text("url").notNull(),
    description: text("description").notNull().default(""),
    events: text("events").array().notNull(),
    method: text("method", { enum: WEBHOOK_METHODS }).notNull().default("POST"),
    format: text("format", { enum: WEBHOOK_FORMATS }).notNull().default("json"),
    bodyTemplate: text("body_template"),
    contentType: text("content_type"),
    headers: jsonb("headers").$type<NameValue[]>().notNull().default([]),
    queryParams: jsonb("query_params").$type<NameValue[]>().notNull().default([]),
    authType: text("auth_type", { enum: WEBHOOK_AUTH_TYPES }).notNull().default("none"),
    /** Encrypted JSON of {username,password} or {token}; never sent to the browser. */
    authEncrypted: text("auth_encrypted"),
    deviceScope: text("device_scope", { enum: WEBHOOK_DEVICE_SCOPES }).notNull().default("all"),
    deviceIds: integer("device_ids").array().notNull().default(sql`'{}'::integer[]`),
    deviceTags: text("device_tags").array().notNull().default(sql`'{}'::text[]`),
    enabled: boolean("enabled").notNull().default(true),
    disabledReason: text("disabled_reason"),
    disabledAt: tstz("disabled_at"),
    /** Failed delivery outcomes in a row (reset by any success). */
    consecutiveFailures: integer("consecutive_failures").notNull().default(0),
    /** When the current failure streak began; null while healthy. */
    failingSince: tstz("failing_since"),
    ...timestamps,
  },
  (t) => [
    // case-sensitive uniqueness of the name within an org ("Alerts" and "alerts" may both exist)
    uniqueIndex("webhooks_org_name_key").on(t.orgId, t.name),
  ],
);

/** Signing secrets. `expires_at` null is the current secret; a rotated-out one stays valid until it expires. */
export const webhookSecrets = pgTable(
  "webhook_secrets",
  {
    id: serial("id").primaryKey(),
    orgId: integer("org_id")
      .notNull()
      .references(() => orgs.id, { onDelete: "cascade" }),
    webhookId: integer("webhook_id")
      .notNull()
      .references(() => webhooks.id, { onDelete: "cascade" }),
    /** "whsec_…" encrypted at rest. */
    secretEncrypted: text("secret_encrypted").notNull(),
    createdAt: tstz("created_at").notNull().defaultNow(),
    expiresAt: tstz("expires_at"),
  },
  (t) => [index("webhook_secrets_webhook_idx").on(t.webhookId)],
);
