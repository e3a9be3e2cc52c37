import "server-only";
import { sql } from "drizzle-orm";
import { queryRows, type Db } from "@/db/client";
import { memberships, orgs, users } from "@/db/schema";
import { hashPassword } from "@/lib/auth/password";
import { recordAudit } from "@/lib/audit";
import { seedDemoDevices } from "./devices";
import { seedDemoInbox } from "./inbox";
import { seedDemoWebhook } from "./webhooks";

export const DEMO_EMAIL = "admin@example.com";
export const DEMO_PASSWORD = "signalpost";

/** The portal's own base URL, used for the demo webhook that delivers into the demo inbox. */
export function appBaseUrl(): string {
  return (process.env.APP_URL ?? `http://localhost:${process.env.PORT ?? 3000}`).replace(/\/$/, "");
}

/**
 * Seeds the demo org on a database with no users: admin@example.com / signalpost, org "Demo", a handful of
 * devices, a demo inbox and a webhook delivering every device event into it. Returns false when there were users.
 */
export async function seedDemoData(db: Db): Promise<boolean> {
  const [{ n }] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from users`);
  if (Number(n) > 0) return false;
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  await db.transaction(async (tx) => {
    const [user] = await tx.insert(users).values({ email: DEMO_EMAIL, name: "Demo Admin", passwordHash }).returning();
    const [org] = await tx.insert(orgs).values({ slug: "demo", name: "Demo" }).returning();
    await tx.insert(memberships).values({ orgId: org.id, userId: user.id, role: "owner" });
    await recordAudit(tx, {
      orgId: org.id,
      actorUserId: null,
      action: "org.created",
      targetType: "org",
      targetId: org.id,
      summary: "Demo organization created by the demo seed",
    });
    const token = await seedDemoInbox(tx, org.id);
    await seedDemoWebhook(tx, org.id, `${appBaseUrl()}/api/inbox/${token}`);
    await seedDemoDevices(tx, org.id);
  });
  return true;
}
