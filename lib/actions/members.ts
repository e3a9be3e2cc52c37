"use server";

import { revalidatePath } from "next/cache";
import { getDb, type Db } from "@/db/client";
import { AccountError, addMember, changeMemberRole, removeMember } from "@/lib/accounts";
import { createInvitation, resendInvitation, revokeInvitation } from "@/lib/accounts/invitations";
import { kickEmails } from "@/lib/email/kick";
import { ROLE_LABELS } from "@/lib/auth/permissions";
import {
  addMemberSchema,
  changeRoleSchema,
  invitationRefSchema,
  inviteMemberSchema,
  removeMemberSchema,
} from "@/lib/validation/members";
import { orgAction, UserError } from "./safe-action";

/** Runs account logic in one transaction; its expected refusals become messages for the form. */
async function inTransaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
  const db = await getDb();
  try {
    return await db.transaction(fn);
  } catch (err) {
    if (err instanceof AccountError) throw new UserError(err.message, err.errors);
    throw err;
  }
}

/** Members → add an existing user by email with a role (owner/admin; only owners add owners). */
export const addMemberAction = orgAction(addMemberSchema, "org_setting.modify", async (ctx, input) => {
  const member = await inTransaction((tx) => addMember(tx, ctx, input));
  revalidatePath(`/orgs/${ctx.orgSlug}/members`);
  return { ok: true, message: `Added ${member.name} (${member.email}) as ${ROLE_LABELS[member.role]}.`, values: {} };
});

/** Members → change a member's role (owner/admin; only owners touch the owner role; never the last owner). */
export const changeRoleAction = orgAction(changeRoleSchema, "org_setting.modify", async (ctx, input) => {
  const { changed, member } = await inTransaction((tx) => changeMemberRole(tx, ctx, input));
  revalidatePath(`/orgs/${ctx.orgSlug}/members`);
  return {
    ok: true,
    message: changed
      ? `${member.name} is now ${ROLE_LABELS[member.role]}.`
      : `${member.name} already has the ${ROLE_LABELS[member.role]} role.`,
  };
});

/** Members → remove a member from the org (owner/admin; only owners remove owners; never the last owner). */
export const removeMemberAction = orgAction(removeMemberSchema, "org_setting.modify", async (ctx, input) => {
  const member = await inTransaction((tx) => removeMember(tx, ctx, input));
  revalidatePath(`/orgs/${ctx.orgSlug}/members`);
  return { ok: true, message: `Removed ${member.name} (${member.email}) from the organization.` };
});

/** Members → Invite by email (owner/admin; only owners invite owners): a 7-day single-use link by email. */
export const inviteMemberAction = orgAction(inviteMemberSchema, "org_setting.modify", async (ctx, input) => {
  await inTransaction((tx) => createInvitation(tx, ctx, input));
  void kickEmails();
  revalidatePath(`/orgs/${ctx.orgSlug}/members`);
  return { ok: true, message: `Invited ${input.email} as ${ROLE_LABELS[input.role]}. The link is valid for 7 days.`, values: {} };
});

/** Pending invitations → Resend (a new link; the old one stops working). */
export const resendInvitationAction = orgAction(invitationRefSchema, "org_setting.modify", async (ctx, input) => {
  const { email } = await inTransaction((tx) => resendInvitation(tx, ctx, input.invitationId));
  void kickEmails();
  revalidatePath(`/orgs/${ctx.orgSlug}/members`);
  return { ok: true, message: `Sent a new invitation link to ${email}.` };
});

/** Pending invitations → Revoke. */
export const revokeInvitationAction = orgAction(invitationRefSchema, "org_setting.modify", async (ctx, input) => {
  const { email } = await inTransaction((tx) => revokeInvitation(tx, ctx, input.invitationId));
  revalidatePath(`/orgs/${ctx.orgSlug}/members`);
  return { ok: true, message: `Revoked the invitation to ${email}.` };
});
