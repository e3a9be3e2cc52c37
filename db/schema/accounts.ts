import { relations, sql } from "drizzle-orm";
import { index, integer, pgTable, primaryKey, serial, text, uniqueIndex } from "drizzle-orm/pg-core";
import { timestamps, tstz } from "./_columns";

export const ROLES = ["owner", "admin", "member"] as const;
export type Role = (typeof ROLES)[number];

/** People who sign in. `email` is stored lower-cased. */
export const users = pgTable(
  "users",
  {
    id: serial("id").primaryKey(),
    email: text("email").notNull(),
    name: text("name").notNull(),
    passwordHash: text("password_hash").notNull(),
    /** Carried in the session JWT; bumping it (Sign out everywhere, a password change) ends the other sessions. */
    sessionVersion: integer("session_version").notNull().default(0),
    ...timestamps,
  },
  (t) => [uniqueIndex("users_email_key").on(t.email)],
);

/** Tenants. Every org-owned row carries `org_id`; the slug is in portal URLs. */
export const orgs = pgTable(
  "orgs",
  {
    id: serial("id").primaryKey(),
    slug: text("slug").notNull(),
    name: text("name").notNull(),
    ...timestamps,
  },
  (t) => [uniqueIndex("orgs_slug_key").on(t.slug)],
);

/** Who belongs to which org, with which role. */
export const memberships = pgTable(
  "memberships",
  {
    orgId: integer("org_id")
      .notNull()
      .references(() => orgs.id, { onDelete: "cascade" }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    role: text("role", { enum: ROLES }).notNull(),
    ...timestamps,
  },
  (t) => [
    primaryKey({ columns: [t.orgId, t.userId] }),
    // "which orgs does this user belong to" (org switcher, landing page)
    index("memberships_user_idx").on(t.userId),
  ],
);

/**
 * Invitations by email (Members → Invite by email): a single-use link (`token_hash` is the SHA-256 of the token in
 * the link; the token itself is only in the email), valid until `expires_at` (7 days), ended by acceptance or
 * revocation. At most one open invitation per (org, email).
 */
export const invitations = pgTable(
  "invitations",
  {
    id: serial("id").primaryKey(),
    orgId: integer("org_id")
      .notNull()
      .references(() => orgs.id, { onDelete: "cascade" }),
    email: text("email").notNull(),
    role: text("role", { enum: ROLES }).notNull(),
    tokenHash: text("token_hash").notNull(),
    invitedBy: integer("invited_by").references(() => users.id, { onDelete: "set null" }),
    expiresAt: tstz("expires_at").notNull(),
    acceptedAt: tstz("accepted_at"),
    acceptedBy: integer("accepted_by").references(() => users.id, { onDelete: "set null" }),
    revokedAt: tstz("revoked_at"),
    lastSentAt: tstz("last_sent_at").notNull().defaultNow(),
    ...timestamps,
  },
  (t) => [
    uniqueIndex("invitations_token_hash_key").on(t.tokenHash),
    uniqueIndex("invitations_open_key")
      .on(t.orgId, t.email)
      .where(sql`${t.acceptedAt} is null and ${t.revokedAt} is null`),
  ],
);

/** "Forgot password?" links: single use, valid 1 hour; `token_hash` is the SHA-256 of the token in the link. */
export const passwordResets = pgTable(
  "password_resets",
  {
    id: serial("id").primaryKey(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    tokenHash: text("token_hash").notNull(),
    expiresAt: tstz("expires_at").notNull(),
    usedAt: tstz("used_at"),
    createdAt: tstz("created_at").notNull().defaultNow(),
  },
  (t) => [uniqueIndex("password_resets_token_hash_key").on(t.tokenHash), index("password_resets_user_idx").on(t.userId)],
);

/** Fixed-window counters for rate limits that must hold across instances (sign-in). */
export const rateLimits = pgTable("rate_limits", {
  key: text("key").primaryKey(),
  windowStart: tstz("window_start").notNull(),
  count: integer("count").notNull(),
});

export const usersRelations = relations(users, ({ many }) => ({ memberships: many(memberships) }));
export const orgsRelations = relations(orgs, ({ many }) => ({ memberships: many(memberships) }));
export const membershipsRelations = relations(memberships, ({ one }) => ({
  org: one(orgs, { fields: [memberships.orgId], references: [orgs.id] }),
  user: one(users, { fields: [memberships.userId], references: [users.id] }),
}));
