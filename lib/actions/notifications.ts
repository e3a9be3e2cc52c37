"use server";

import { revalidatePath } from "next/cache";
import { getDb } from "@/db/client";
import { saveMyNotifications } from "@/lib/notifications/prefs";
import { notificationPrefsSchema } from "@/lib/validation/notifications";
import { orgAction } from "./safe-action";

/**
 * My notifications → Save: every member (read-only members too) sets their OWN preferences in this org; the
 * member is the session's, never a field of the form, so nobody can change another member's settings.
 */
export const saveMyNotificationsAction = orgAction(notificationPrefsSchema, "org.read", async (ctx, input) => {
  await saveMyNotifications(await getDb(), { orgId: ctx.orgId, userId: ctx.userId }, input);
  revalidatePath(`/orgs/${ctx.orgSlug}/settings/notifications`);
  return { ok: true, message: "Your notification settings are saved." };
});
