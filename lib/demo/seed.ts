import "server-only";
import { eq, sql } from "drizzle-orm";
import { queryRows, type Db } from "@/db/client";
import { devices } from "@/db/schema";
import { createUserWithOrg } from "@/lib/accounts/orgs";
import { emitEvents } from "@/lib/delivery/emit";
import { demoDevTokenWanted, issueDemoDevToken } from "./dev-token";
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
 * Seeds the demo org on a database with no users: admin@example.com with `password` (the development demo
 * password unless the server start chose another, see seed-plan.ts), org "Demo", a handful of devices, a demo inbox
 * and a webhook delivering every device event into it; in development, the README's demo device gets the fixed
 * development token (DEMO_DEV_TOKEN). Returns false when there were users.
 */
export async function seedDemoData(db: Db, password: string = DEMO_PASSWORD, env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  const [{ n }] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from users`);
  if (Number(n) > 0) return false;
  await db.transaction(async (tx) => {
    const { org } = await createUserWithOrg(tx, {
      name: "Demo Admin",
      email: DEMO_EMAIL,
      password,
      orgName: "Demo",
    });
    const token = await seedDemoInbox(tx, org.id);
    await seedDemoWebhook(tx, org.id, `${appBaseUrl()}/api/inbox/${token}`);
    await seedDemoDevices(tx, org.id);
    // development only: the README's first status curl works as written (see lib/demo/dev-token.ts)
    if (demoDevTokenWanted(env)) await issueDemoDevToken(tx, org.id);
    // The demo devices "were added" through the portal: their device.created events go to the demo webhook, so a
    // fresh start shows verified deliveries in the demo inbox within the first tick, with nothing else running.
    const created = await tx.select().from(devices).where(eq(devices.orgId, org.id)).orderBy(devices.id);
    await emitEvents(
      tx,
      org.id,
      created.map((d) => ({
        type: "device.created" as const,
        device: { id: d.id, udid: d.udid, name: d.name, tags: d.tags },
        data: { udid: d.udid, name: d.name, tags: d.tags, offlineAfterSeconds: d.offlineAfterSeconds },
      })),
    );
  });
  return true;
}
