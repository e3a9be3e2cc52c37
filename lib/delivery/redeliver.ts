import "server-only";
import { sql } from "drizzle-orm";
import { queryRows, type Db } from "@/db/client";
import type { Actor } from "@/lib/actor";
import { recordAudit } from "@/lib/audit";
import type { DeliveryStatus } from "./log";

// Redeliver one delivery, or replay an org's failed deliveries since a time: writes to the outbox, audited.

/**
 * Redeliver one delivery: it goes out again as soon as possible with the same webhook-id (the event id), so a
 * receiver that already processed it can dedupe. A finished delivery is reset to pending with a fresh retry
 * schedule (attempts 0; its earlier attempts stay in its history); a pending one is made due now, unless a worker
 * is sending it at this moment. Returns a message, or null when the delivery is not in the org.
 */
export async function redeliver(db: Db, actor: Actor, id: number, now: Date = new Date()): Promise<{ message: string; webhookEnabled: boolean } | null> {
  return db.transaction(async (tx) => {
    const [row] = await queryRows<{ id: number; status: DeliveryStatus; in_flight: boolean; webhook_name: string; webhook_enabled: boolean; event_id: string }>(
      tx,
      sql`select o.id, o.status, (o.locked_until is not null and o.locked_until > ${now.toISOString()}::timestamptz) as in_flight,
                 w.name as webhook_name, w.enabled as webhook_enabled, o.event_id
          from outbox o join webhooks w on w.id = o.webhook_id
          where o.org_id = ${actor.orgId} and o.id = ${id}
          for update of o`,
    );
    if (!row) return null;
    if (row.status === "pending" && row.in_flight) {
      return { message: "This delivery is being sent right now.", webhookEnabled: row.webhook_enabled };
    }
    await tx.execute(sql`
      update outbox
      set status = 'pending', next_attempt_at = ${now.toISOString()}::timestamptz, locked_until = null,
          attempts = case when status = 'pending' then attempts else 0 end, completed_at = null
      where id = ${id} and org_id = ${actor.orgId}`);
    await recordAudit(tx, {
      orgId: actor.orgId,
      actorUserId: actor.userId,
      action: "delivery.redelivered",
      targetType: "delivery",
      targetId: id,
      summary: `Redelivered event ${row.event_id} to webhook "${row.webhook_name}"`,
      details: { eventId: row.event_id, previousStatus: row.status },
    });
    return {
      message: row.webhook_enabled
        ? "Queued for redelivery; it goes out in a moment."
        : "Queued; the webhook is disabled, so it goes out when the webhook is enabled again.",
      webhookEnabled: row.webhook_enabled,
    };
  });
}

/**
 * Replay failed deliveries of the org (optionally of one webhook) whose event happened at or after `since`: each
 * is reset to pending with a fresh schedule, same webhook-id. Returns how many.
 */
export async function replayFailed(
  db: Db,
  actor: Actor,
  args: { since: Date; webhookId?: number },
  now: Date = new Date(),
): Promise<number> {
  return db.transaction(async (tx) => {
    const [row] = await queryRows<{ n: number }>(
      tx,
      sql`with replayed as (
            update outbox
            set status = 'pending', next_attempt_at = ${now.toISOString()}::timestamptz, locked_until = null,
                attempts = 0, completed_at = null
            where org_id = ${actor.orgId} and status = 'failed' and created_at >= ${args.since.toISOString()}::timestamptz
              ${args.webhookId !== undefined ? sql`and webhook_id = ${args.webhookId}` : sql``}
            returning 1)
          select count(*)::int as n from replayed`,
    );
    const n = Number(row?.n ?? 0);
    if (n > 0) {
      await recordAudit(tx, {
        orgId: actor.orgId,
        actorUserId: actor.userId,
        action: "delivery.replayed",
        targetType: args.webhookId !== undefined ? "webhook" : "org",
        targetId: args.webhookId ?? actor.orgId,
        summary: `Replayed ${n} failed deliver${n === 1 ? "y" : "ies"} since ${args.since.toISOString().replace("T", " ").slice(0, 16)} UTC`,
        details: { count: n, since: args.since.toISOString(), webhookId: args.webhookId ?? null },
      });
    }
    return n;
  });
}
