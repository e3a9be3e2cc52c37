import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { devices, orgs, outbox, webhooks } from "@/db/schema";
import { emitEvents } from "@/lib/delivery/emit";
import { createSecret } from "@/lib/webhooks/secrets";

/** An org with one device and nothing else. */
export async function seedDeliveryOrg(db: Db, slug = "acme") {
  const [org] = await db.insert(orgs).values({ slug, name: slug }).returning();
  const [device] = await db
    .insert(devices)
    .values({ orgId: org.id, udid: "ce0917198075440c057e", name: "Galaxy Note 8", tags: ["lab"] })
    .returning();
  return { org, device };
}

/** A webhook subscribed to status events, pointing at `url`, with a signing secret. */
export async function insertWebhook(
  db: Db,
  orgId: number,
  url: string,
  extra: Partial<typeof webhooks.$inferInsert> = {},
) {
  const [hook] = await db
    .insert(webhooks)
    .values({
      orgId,
      name: extra.name ?? `hook-${Math.random().toString(36).slice(2, 8)}`,
      url,
      events: ["device.status.online", "device.status.offline"],
      ...extra,
    })
    .returning();
  const secret = await createSecret(db, orgId, hook.id);
  return { hook, secret };
}

/** Emits `count` offline events for the device (one transaction), as the status API would. */
export async function emitOffline(
  db: Db,
  org: { id: number },
  device: { id: number; udid: string; name: string; tags: string[] },
  now = new Date(),
  count = 1,
) {
  return db.transaction((tx) =>
    emitEvents(
      tx,
      org.id,
      Array.from({ length: count }, () => ({
        type: "device.status.offline" as const,
        device,
        data: { previousStatus: "online", status: "offline", reason: "timeout" },
      })),
      now,
    ),
  );
}

export async function outboxRows(db: Db, webhookId?: number) {
  const q = db.select().from(outbox);
  return webhookId === undefined ? q.orderBy(outbox.id) : q.where(eq(outbox.webhookId, webhookId)).orderBy(outbox.id);
}

export const seconds = (base: Date, s: number) => new Date(base.getTime() + s * 1000);
