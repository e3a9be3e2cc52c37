import "server-only";
import { sql } from "drizzle-orm";
import { queryRows, type Db } from "@/db/client";
import { queueEmails } from "@/lib/email/queue";
import { renderEmail, type EmailContent } from "@/lib/email/render";
import { unsubscribeLinks } from "@/lib/notifications/prefs";

/**
 * The recipients of an org's operational alerts: its owners and admins, minus those who turned operational alerts
 * off (My notifications, or the alert email's one-click unsubscribe).
 */
export async function alertRecipients(tx: Db, orgId: number): Promise<{ id: number; email: string }[]> {
  return queryRows<{ id: number; email: string }>(
    tx,
    sql`select u.id, u.email from memberships m join users u on u.id = m.user_id
        left join notification_prefs p on p.org_id = m.org_id and p.user_id = m.user_id
        where m.org_id = ${orgId} and m.role in ('owner', 'admin') and coalesce(p.alerts, true)
        order by u.id`,
  );
}

/**
 * Queues one operational alert to each recipient, in the caller's transaction (members-only: one who left by the
 * time it is sent gets nothing). Each copy carries the recipient's own one-click unsubscribe (RFC 8058) for
 * operational alerts. Returns the email ids.
 */
export async function queueAlert(
  tx: Db,
  org: { id: number; slug: string; name: string },
  kind: string,
  content: Omit<EmailContent, "footer" | "unsubscribeUrl">,
  now: Date,
): Promise<number[]> {
  const to = await alertRecipients(tx, org.id);
  const emails = await Promise.all(
    to.map(async (u) => {
      const links = unsubscribeLinks(org.slug, org.id, u.id, "alerts");
      const email = await renderEmail({
        ...content,
        footer: `You get operational alerts as an owner or admin of ${org.name}. Turn them off under My notifications: ${links.settingsUrl}`,
        unsubscribeUrl: links.url,
      });
      return { kind, to: u.email, orgId: org.id, userId: u.id, membersOnly: true, email, headers: links.headers };
    }),
  );
  return queueEmails(tx, emails, now);
}
