import "server-only";
import { z } from "zod";
import type { Db } from "@/db/client";
import { emailOutbox } from "@/db/schema";
import { UserError } from "@/lib/errors";
import { emailAddressSchema } from "./config";
import type { RenderedEmail } from "./render";

export type EmailToQueue = {
  kind: string;
  to: string;
  /** The org the email is about; null for account emails (password reset). */
  orgId: number | null;
  /** The recipient's account, when there is one. */
  userId?: number | null;
  /** Drop the email at send time if the recipient (userId) no longer belongs to orgId. */
  membersOnly?: boolean;
  email: RenderedEmail;
  headers?: Record<string, string>;
};

/** Header names and values that cannot carry a line break (no header injection through a value). */
const headerSchema = z.record(z.string().regex(/^[A-Za-z0-9-]+$/), z.string().regex(/^[^\r\n]*$/));

/**
 * Queues emails in the caller's transaction (so an email exists exactly when the change that causes it commits).
 * Returns the outbox ids for `kickEmails`. An invalid address is a UserError on field `email`.
 */
export async function queueEmails(db: Db, emails: readonly EmailToQueue[], now?: Date): Promise<number[]> {
  if (emails.length === 0) return [];
  // Due at the app's clock (the tick passes its own), as the pass compares: the database's microsecond now() would
  // leave a row queued in the same millisecond as a running pass's clock not yet due, costing it a tick.
  const at = now ?? new Date();
  const values = emails.map((e) => {
    const to = emailAddressSchema.safeParse(e.to);
    if (!to.success) throw new UserError("Enter a valid email address.", { email: ["Enter a valid email address."] });
    if (e.membersOnly && (e.orgId == null || e.userId == null)) throw new Error("membersOnly needs orgId and userId");
    const subject = e.email.subject.replace(/[\r\n]+/g, " ").slice(0, 250);
    return {
      kind: e.kind,
      toAddress: to.data,
      orgId: e.orgId,
      userId: e.userId ?? null,
      membersOnly: e.membersOnly ?? false,
      subject,
      html: e.email.html,
      text: e.email.text,
      headers: headerSchema.parse(e.headers ?? {}),
      nextAttemptAt: at,
      createdAt: at,
    };
  });
  const rows = await db.insert(emailOutbox).values(values).returning({ id: emailOutbox.id });
  return rows.map((r) => r.id);
}
