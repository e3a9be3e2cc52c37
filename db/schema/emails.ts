import { sql } from "drizzle-orm";
import { bigint, bigserial, boolean, index, integer, jsonb, pgTable, text } from "drizzle-orm/pg-core";
import { tstz } from "./_columns";
import { orgs, users } from "./accounts";
import { webhooks } from "./webhooks";

export const EMAIL_STATUSES = ["pending", "sent", "failed", "cancelled"] as const;
export type EmailStatus = (typeof EMAIL_STATUSES)[number];
export const EMAIL_TRANSPORTS = ["smtp", "stored"] as const;
export type EmailTransport = (typeof EMAIL_TRANSPORTS)[number];

/**
 * The email outbox: one row per (email × recipient), rendered (subject, HTML and text) when queued, in the
 * transaction of the change that causes it. Claimed like webhook deliveries (FOR UPDATE SKIP LOCKED, a lease that
 * pushes `next_attempt_at` forward, fenced write-back on `attempts`), sent by SMTP_URL or, without it, stored and
 * shown under Emails in the portal.
 */
export const emailOutbox = pgTable(
  "email_outbox",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    /** The org the email is about (null for account emails such as a password reset): the Emails view lists by it. */
    orgId: integer("org_id").references(() => orgs.id, { onDelete: "cascade" }),
    /** The recipient's account, when there is one. */
    userId: integer("user_id").references(() => users.id, { onDelete: "cascade" }),
    /** When true, the email is dropped (cancelled) at send time if the recipient no longer belongs to the org. */
    membersOnly: boolean("members_only").notNull().default(false),
    /** "invitation", "password_reset", "alert", "notification", "test" … */
    kind: text("kind").notNull(),
    toAddress: text("to_address").notNull(),
    subject: text("subject").notNull(),
    html: text("html").notNull(),
    text: text("text").notNull(),
    /** Extra headers (List-Unsubscribe …). */
    headers: jsonb("headers").$type<Record<string, string>>().notNull().default({}),
    status: text("status", { enum: EMAIL_STATUSES }).notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: tstz("next_attempt_at").notNull().defaultNow(),
    lockedUntil: tstz("locked_until"),
    transport: text("transport", { enum: EMAIL_TRANSPORTS }),
    messageId: text("message_id"),
    lastError: text("last_error"),
    sentAt: tstz("sent_at"),
    completedAt: tstz("completed_at"),
    createdAt: tstz("created_at").notNull().defaultNow(),
  },
  (t) => [
    index("email_outbox_pending_due_idx").on(t.nextAttemptAt).where(sql`${t.status} = 'pending'`),
    index("email_outbox_org_created_idx").on(t.orgId, t.createdAt.desc()),
    // retention: oldest finished emails first
    index("email_outbox_completed_idx").on(t.completedAt).where(sql`${t.status} <> 'pending'`),
  ],
);

/** One row per send attempt of an email: what the SMTP server answered (or the connection error). */
export const emailAttempts = pgTable(
  "email_attempts",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    emailId: bigint("email_id", { mode: "number" })
      .notNull()
      .references(() => emailOutbox.id, { onDelete: "cascade" }),
    transport: text("transport", { enum: EMAIL_TRANSPORTS }).notNull(),
    /** "sent", "retry", "failed" */
    outcome: text("outcome").notNull(),
    responseCode: integer("response_code"),
    response: text("response"),
    error: text("error"),
    durationMs: integer("duration_ms"),
    attemptedAt: tstz("attempted_at").notNull().defaultNow(),
  },
  (t) => [index("email_attempts_email_idx").on(t.emailId, t.attemptedAt)],
);

/**
 * Operational alerts already sent per webhook (so each goes out once): the auto-disable alert for the disable at
 * `disabled_alerted_at`, the "started failing" alert for the failure streak that began at `failing_streak_alerted`
 * (at most one per webhook per day, `failing_alerted_at`).
 */
export const webhookAlerts = pgTable("webhook_alerts", {
  webhookId: integer("webhook_id")
    .primaryKey()
    .references(() => webhooks.id, { onDelete: "cascade" }),
  disabledAlertedAt: tstz("disabled_alerted_at"),
  failingAlertedAt: tstz("failing_alerted_at"),
  failingStreakAlerted: tstz("failing_streak_alerted"),
});
