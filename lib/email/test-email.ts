import "server-only";
import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { users } from "@/db/schema";
import { UserError } from "@/lib/errors";
import { appUrl } from "./config";
import { queueEmails } from "./queue";
import { renderEmail } from "./render";

/** Emails → Send test email: queues a test email to the signed-in member's own address (proves SMTP_URL works). */
export async function queueTestEmail(db: Db, ctx: { userId: number; orgId: number; orgSlug: string; orgName: string }): Promise<number[]> {
  const [user] = await db.select({ email: users.email, name: users.name }).from(users).where(eq(users.id, ctx.userId));
  if (!user) throw new UserError("Your account was not found.", undefined, "not_found");
  const email = await renderEmail({
    subject: `Test email from Signalpost (${ctx.orgName})`,
    heading: "Email works",
    paragraphs: [`Hi ${user.name}, this test email was sent from ${ctx.orgName} in Signalpost.`],
    action: { label: "Open Emails", url: `${appUrl()}/orgs/${ctx.orgSlug}/emails` },
    footer: "You asked for this email under Emails → Send test email.",
  });
  return queueEmails(db, [{ kind: "test", to: user.email, orgId: ctx.orgId, userId: ctx.userId, membersOnly: true, email }]);
}
