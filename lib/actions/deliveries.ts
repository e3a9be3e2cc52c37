"use server";

import { revalidatePath } from "next/cache";
import { getDb } from "@/db/client";
import { UserError, orgAction } from "@/lib/actions/safe-action";
import { redeliverSchema, replaySchema } from "@/lib/validation/deliveries";
import { redeliver, replayFailed } from "@/lib/delivery/redeliver";
import { kickDelivery } from "@/lib/delivery/kick";
import { findWebhook } from "@/lib/webhooks/manage";

/** Redeliver one delivery (owner/admin), same webhook-id, right away. */
export const redeliverAction = orgAction(redeliverSchema, "org_setting.modify", async (ctx, input) => {
  const result = await redeliver(await getDb(), { orgId: ctx.orgId, userId: ctx.userId }, input.deliveryId);
  if (!result) throw new UserError("Delivery not found.");
  if (result.webhookEnabled) kickDelivery();
  revalidatePath(`/orgs/${ctx.orgSlug}/deliveries`);
  return { ok: true, message: result.message };
});

/** Replay failed deliveries since a time, org-wide or for one webhook (owner/admin). */
export const replayFailedAction = orgAction(replaySchema, "org_setting.modify", async (ctx, input) => {
  const db = await getDb();
  if (input.webhookId !== undefined && !(await findWebhook(db, ctx.orgId, input.webhookId))) {
    throw new UserError("Webhook not found.");
  }
  const n = await replayFailed(db, { orgId: ctx.orgId, userId: ctx.userId }, { since: input.since, webhookId: input.webhookId });
  if (n > 0) kickDelivery();
  revalidatePath(`/orgs/${ctx.orgSlug}/deliveries`);
  return {
    ok: true,
    message: n === 0 ? "No failed deliveries since then." : `Replaying ${n} failed deliver${n === 1 ? "y" : "ies"}.`,
    data: { count: n },
  };
});
