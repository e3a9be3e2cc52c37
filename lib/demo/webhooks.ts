import "server-only";
import type { Db } from "@/db/client";
import { webhooks } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { SUBSCRIBABLE_EVENT_TYPES } from "@/lib/events/catalog";
import { createSecret } from "@/lib/webhooks/secrets";

/** The demo org's webhook: every device event, JSON, delivered to `url` (the demo inbox). Returns its id. */
export async function seedDemoWebhook(db: Db, orgId: number, url: string): Promise<number> {
  const [row] = await db
    .insert(webhooks)
    .values({
      orgId,
      name: "Demo webhook",
      url,
      description: "Delivers every device event to the demo inbox, signed with this webhook's secret.",
      events: [...SUBSCRIBABLE_EVENT_TYPES],
      headers: [{ name: "X-Signalpost-Demo", value: "{{deviceUdid}}" }],
    })
    .returning({ id: webhooks.id });
  await createSecret(db, orgId, row.id);
  await recordAudit(db, {
    orgId,
    actorUserId: null,
    action: "webhook.created",
    targetType: "webhook",
    targetId: row.id,
    summary: `Created webhook "Demo webhook" → ${url} (demo seed)`,
  });
  return row.id;
}
