import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach } from "vitest";
import { migrate, openDatabase, setProcessDatabase, type DatabaseHandle, type Db } from "@/db/client";
import { pendingKick } from "@/lib/delivery/kick";
import { pendingEmailKick } from "@/lib/email/kick";

/**
 * A fresh database for one test file: in-memory PGlite by default, or a new database on the PostgreSQL server
 * named after DATABASE_URL's when DATABASE_URL is set (dropped afterwards). Installed as the process database.
 */
export async function createTestDatabase(): Promise<DatabaseHandle & { drop: () => Promise<void> }> {
  const base = process.env.DATABASE_URL;
  if (!base) {
    const handle = await openDatabase("memory://");
    await migrate(handle);
    setProcessDatabase(handle);
    return { ...handle, drop: () => handle.close() };
  }
  const url = new URL(base);
  const name = `${url.pathname.slice(1) || "test"}_t${process.pid}_${randomBytes(4).toString("hex")}`;
  const admin = await openDatabase(base);
  await admin.db.execute(sql.raw(`create database "${name}"`));
  url.pathname = `/${name}`;
  const handle = await openDatabase(url.toString());
  await migrate(handle);
  setProcessDatabase(handle);
  return {
    ...handle,
    drop: async () => {
      await handle.close();
      await admin.db.execute(sql.raw(`drop database if exists "${name}" with (force)`));
      await admin.close();
    },
  };
}

const TABLES = [
  "fleet_rollups",
  "fleet_event_counts",
  "fleet_delivery_counts",
  "fleet_status_samples",
  "notification_items",
  "notification_prefs",
  "revoked_token_uses",
  "email_attempts",
  "email_outbox",
  "webhook_alerts",
  "inbox_requests",
  "inboxes",
  "delivery_attempts",
  "outbox",
  "events",
  "signals",
  "device_tokens",
  "devices",
  "webhook_secrets",
  "webhooks",
  "audit_log",
  "idempotency_keys",
  "api_keys",
  "invitations",
  "password_resets",
  "memberships",
  "orgs",
  "users",
  "rate_limits",
];

/** Empties every table (milliseconds, unlike opening a new database). */
export async function truncateAll(db: Db): Promise<void> {
  await db.execute(sql.raw(`truncate ${TABLES.join(", ")} restart identity cascade`));
}

/**
 * Registers a fresh database for the current test file, truncated before each test.
 * Returns a getter, since the database opens in beforeAll.
 */
export function useTestDatabase(options: { truncate?: boolean } = {}): () => Db {
  let handle: Awaited<ReturnType<typeof createTestDatabase>> | undefined;
  beforeAll(async () => {
    handle = await createTestDatabase();
  });
  if (options.truncate !== false) {
    beforeEach(async () => {
      // a delivery or email pass a previous test kicked in the background finishes first: a pass still writing
      // while the truncate takes its exclusive locks deadlocks one of them (seen on PostgreSQL)
      await Promise.all([pendingKick(), pendingEmailKick()]);
      if (handle) await truncateAll(handle.db);
    });
  }
  afterAll(async () => {
    setProcessDatabase(undefined);
    await handle?.drop();
  });
  return () => {
    if (!handle) throw new Error("test database not open yet");
    return handle.db;
  };
}
