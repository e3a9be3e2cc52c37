"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { getDb } from "@/db/client";
import { kickEmails } from "@/lib/email/kick";
import { queueTestEmail } from "@/lib/email/test-email";
import { smtpUrl } from "@/lib/email/config";
import { orgAction } from "./safe-action";

/** Emails → Send test email (owners/admins): one email to the signed-in member, through the outbox. */
export const sendTestEmailAction = orgAction(z.object({}), "org_setting.modify", async (ctx) => {
  const db = await getDb();
  await db.transaction((tx) => queueTestEmail(tx, ctx));
  // usually done in milliseconds; a slow SMTP server finishes in the background (kickEmails keeps it alive)
  await Promise.race([kickEmails(), new Promise((resolve) => setTimeout(resolve, 2_000))]);
  revalidatePath(`/orgs/${ctx.orgSlug}/emails`);
  return {
    ok: true,
    message: smtpUrl() ? "Test email queued: it is on its way through SMTP." : "Test email stored: it is at the top of the list.",
  };
});
