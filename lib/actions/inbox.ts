"use server";

import { revalidatePath } from "next/cache";
import { getDb } from "@/db/client";
import { orgAction, UserError } from "@/lib/actions/safe-action";
import { INBOX_LIMIT_PER_ORG } from "@/lib/inbox/constants";
import { clearInbox, countInboxes, createInbox, deleteInbox, updateInbox } from "@/lib/inbox/service";
import { inboxRefSchema, inboxSettingsSchema, inboxUpdateSchema } from "@/lib/validation/inbox";

const page = (slug: string) => `/orgs/${slug}/inbox`;

/** "Create inbox": a new capture URL answering the chosen status after the chosen delay. */
export const createInboxAction = orgAction(inboxSettingsSchema, "org_setting.modify", async (ctx, input) => {
  const db = await getDb();
  if ((await countInboxes(db, ctx.orgId)) >= INBOX_LIMIT_PER_ORG) {
    throw new UserError(`An organization can have at most ${INBOX_LIMIT_PER_ORG} inboxes. Delete one you no longer use.`);
  }
  const row = await createInbox(db, ctx, {
    name: input.name,
    responseStatus: input.responseStatus,
    responseDelayMs: Math.round(input.responseDelaySeconds * 1000),
  });
  revalidatePath(page(ctx.orgSlug));
  return { ok: true, message: `Inbox "${row.name}" created.`, data: { id: row.id, token: row.token } };
});

/** Saves an inbox's name, response status and delay. */
export const updateInboxAction = orgAction(inboxUpdateSchema, "org_setting.modify", async (ctx, input) => {
  const row = await updateInbox(await getDb(), ctx, input.inboxId, {
    name: input.name,
    responseStatus: input.responseStatus,
    responseDelayMs: Math.round(input.responseDelaySeconds * 1000),
  });
  if (!row) throw new UserError("That inbox no longer exists.");
  revalidatePath(page(ctx.orgSlug));
  return { ok: true, message: `Saved: "${row.name}" answers ${row.responseStatus} after ${row.responseDelayMs / 1000} s.` };
});

/** "Clear inbox": deletes its captured requests. */
export const clearInboxAction = orgAction(inboxRefSchema, "org_setting.modify", async (ctx, input) => {
  const n = await clearInbox(await getDb(), ctx, input.inboxId);
  if (n === null) throw new UserError("That inbox no longer exists.");
  return { ok: true, message: `Cleared ${n} request${n === 1 ? "" : "s"}.` };
});

/** "Delete inbox": its URL answers 404 from now on. */
export const deleteInboxAction = orgAction(inboxRefSchema, "org_setting.modify", async (ctx, input) => {
  const ok = await deleteInbox(await getDb(), ctx, input.inboxId);
  if (!ok) throw new UserError("That inbox no longer exists.");
  revalidatePath(page(ctx.orgSlug));
  return { ok: true, message: "Inbox deleted." };
});
