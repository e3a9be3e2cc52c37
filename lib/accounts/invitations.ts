import "server-only";
import { createHash, randomBytes } from "node:crypto";
import { and, asc, eq, isNull, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { invitations, memberships, orgs, users, type Role } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { hashPassword } from "@/lib/auth/password";
import { ROLE_LABELS } from "@/lib/auth/permissions";
import { appUrl } from "@/lib/email/config";
import { queueEmails } from "@/lib/email/queue";
import { renderEmail } from "@/lib/email/render";
import { intEnv } from "@/lib/env";
import { hitRateLimit } from "@/lib/rate-limit";
import { AccountError } from "./errors";
import type { MemberActor } from "./members";

/** Invitation links are valid for 7 days and work once. */
export const INVITATION_TTL_MS = 7 * 86_400_000;

const OWNER_ONLY = "Only an owner can invite an owner.";

/** Invitation emails (new and resent) per org per hour: INVITATIONS_PER_HOUR, 50 (an admin cannot mail-bomb). */
async function countInvitationEmail(tx: Db, orgId: number, now: Date): Promise<void> {
  const limit = intEnv("INVITATIONS_PER_HOUR", 50);
  const hit = await hitRateLimit(tx, `invite:${orgId}`, limit, 3_600, now);
  if (!hit.allowed) {
    throw new AccountError(`This organization sent ${limit} invitations in the last hour. Try again in ${Math.ceil(hit.retryAfterSeconds / 60)} minutes.`);
  }
}

export function hashInvitationToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

function newToken(): string {
  return `inv_${randomBytes(32).toString("base64url")}`;
}

export function invitationUrl(token: string): string {
  return `${appUrl()}/invite/${token}`;
}

export type PendingInvitation = {
  id: number;
  email: string;
  role: Role;
  expiresAt: Date;
  lastSentAt: Date;
  invitedByName: string | null;
  expired: boolean;
};

/** Open invitations of the org (not accepted, not revoked), newest first; expired ones are flagged. */
export async function listPendingInvitations(db: Db, orgId: number, now = new Date()): Promise<PendingInvitation[]> {
  const rows = await db
    .select({
      id: invitations.id,
      email: invitations.email,
      role: invitations.role,
      expiresAt: invitations.expiresAt,
      lastSentAt: invitations.lastSentAt,
      invitedByName: users.name,
    })
    .from(invitations)
    .leftJoin(users, eq(users.id, invitations.invitedBy))
    .where(and(eq(invitations.orgId, orgId), isNull(invitations.acceptedAt), isNull(invitations.revokedAt)))
    .orderBy(asc(invitations.email));
  return rows.map((r) => ({ ...r, expired: r.expiresAt.getTime() <= now.getTime() }));
}

async function queueInvitationEmail(tx: Db, orgId: number, to: string, role: Role, token: string, inviterName: string): Promise<number[]> {
  const [org] = await tx.select({ name: orgs.name }).from(orgs).where(eq(orgs.id, orgId));
  const url = invitationUrl(token);
  const email = await renderEmail({
    subject: `You are invited to ${org.name} on Signalpost`,
    heading: `Join ${org.name} on Signalpost`,
    paragraphs: [
      `${inviterName} invited you to join ${org.name} as ${ROLE_LABELS[role]}.`,
      "Open the link to create your account (or sign in with this email address) and join. The link works once and expires in 7 days.",
    ],
    action: { label: "Accept invitation", url },
    footer: `This invitation was sent to ${to}. If you did not expect it, you can ignore this email.`,
  });
  return queueEmails(tx, [{ kind: "invitation", to, orgId, email }]);
}

async function inviterName(tx: Db, userId: number): Promise<string> {
  const [u] = await tx.select({ name: users.name }).from(users).where(eq(users.id, userId));
  return u?.name ?? "Someone";
}

/**
 * Members → Invite by email: an invitation (single use, 7 days) and its email, audited, in the caller's transaction.
 * Refuses an address that already belongs to a member and an open invitation for the same address (resend it
 * instead); an expired open one is replaced. Returns the email outbox ids to kick.
 */
export async function createInvitation(
  tx: Db,
  actor: MemberActor,
  input: { email: string; role: Role },
  now = new Date(),
): Promise<{ id: number; emailIds: number[] }> {
  if (input.role === "owner" && actor.role !== "owner") throw new AccountError(OWNER_ONLY, { role: [OWNER_ONLY] });
  const email = input.email.trim().toLowerCase();
  const [member] = await tx
    .select({ id: users.id })
    .from(users)
    .innerJoin(memberships, and(eq(memberships.userId, users.id), eq(memberships.orgId, actor.orgId)))
    .where(eq(users.email, email))
    .limit(1);
  if (member) throw new AccountError("That person is already a member.", { email: ["Already a member of this organization"] });
  // an expired open invitation no longer blocks a new one
  await tx
    .update(invitations)
    .set({ revokedAt: now })
    .where(
      and(
        eq(invitations.orgId, actor.orgId),
        eq(invitations.email, email),
        isNull(invitations.acceptedAt),
        isNull(invitations.revokedAt),
        sql`${invitations.expiresAt} <= ${now.toISOString()}::timestamptz`,
      ),
    );
  await countInvitationEmail(tx, actor.orgId, now);
  const token = newToken();
  const [row] = await tx
    .insert(invitations)
    .values({
      orgId: actor.orgId,
      email,
      role: input.role,
      tokenHash: hashInvitationToken(token),
      invitedBy: actor.userId,
      expiresAt: new Date(now.getTime() + INVITATION_TTL_MS),
      lastSentAt: now,
    })
    .onConflictDoNothing()
    .returning({ id: invitations.id });
  if (!row) {
    throw new AccountError("An invitation to this address is already pending. Resend it from the list instead.", {
      email: ["Already invited (see pending invitations)"],
    });
  }
  const emailIds = await queueInvitationEmail(tx, actor.orgId, email, input.role, token, await inviterName(tx, actor.userId));
  await recordAudit(tx, {
    orgId: actor.orgId,
    actorUserId: actor.userId,
    action: "invitation.created",
    targetType: "invitation",
    targetId: row.id,
    summary: `Invited ${email} as ${ROLE_LABELS[input.role]}`,
  });
  return { id: row.id, emailIds };
}

async function lockOpenInvitation(tx: Db, orgId: number, id: number) {
  const [row] = await tx
    .select()
    .from(invitations)
    .where(and(eq(invitations.orgId, orgId), eq(invitations.id, id), isNull(invitations.acceptedAt), isNull(invitations.revokedAt)))
    .for("update")
    .limit(1);
  if (!row) throw new AccountError("That invitation is no longer pending. Reload the page.");
  return row;
}

/** Resend: a new link (the old one stops working) valid for 7 more days, and a new email. Audited. */
export async function resendInvitation(tx: Db, actor: MemberActor, id: number, now = new Date()): Promise<{ email: string; emailIds: number[] }> {
  const inv = await lockOpenInvitation(tx, actor.orgId, id);
  if (inv.role === "owner" && actor.role !== "owner") throw new AccountError(OWNER_ONLY);
  await countInvitationEmail(tx, actor.orgId, now);
  const token = newToken();
  await tx
    .update(invitations)
    .set({ tokenHash: hashInvitationToken(token), expiresAt: new Date(now.getTime() + INVITATION_TTL_MS), lastSentAt: now })
    .where(eq(invitations.id, inv.id));
  const emailIds = await queueInvitationEmail(tx, actor.orgId, inv.email, inv.role, token, await inviterName(tx, actor.userId));
  await recordAudit(tx, {
    orgId: actor.orgId,
    actorUserId: actor.userId,
    action: "invitation.resent",
    targetType: "invitation",
    targetId: inv.id,
    summary: `Resent the invitation to ${inv.email}`,
  });
  return { email: inv.email, emailIds };
}

/** Revoke: the link stops working. Audited. */
export async function revokeInvitation(tx: Db, actor: MemberActor, id: number, now = new Date()): Promise<{ email: string }> {
  const inv = await lockOpenInvitation(tx, actor.orgId, id);
  if (inv.role === "owner" && actor.role !== "owner") throw new AccountError(OWNER_ONLY);
  await tx.update(invitations).set({ revokedAt: now }).where(eq(invitations.id, inv.id));
  await recordAudit(tx, {
    orgId: actor.orgId,
    actorUserId: actor.userId,
    action: "invitation.revoked",
    targetType: "invitation",
    targetId: inv.id,
    summary: `Revoked the invitation to ${inv.email}`,
  });
  return { email: inv.email };
}

export type InvitationLink =
  | { state: "valid"; id: number; orgId: number; orgSlug: string; orgName: string; email: string; role: Role; accountExists: boolean }
  | { state: "expired" | "used" | "revoked" | "unknown" };

/** What an invitation link leads to (the page /invite/[token]). */
export async function lookupInvitation(db: Db, token: string, now = new Date()): Promise<InvitationLink> {
  if (!/^inv_[A-Za-z0-9_-]{20,100}$/.test(token)) return { state: "unknown" };
  const [row] = await db
    .select({ inv: invitations, orgSlug: orgs.slug, orgName: orgs.name })
    .from(invitations)
    .innerJoin(orgs, eq(orgs.id, invitations.orgId))
    .where(eq(invitations.tokenHash, hashInvitationToken(token)))
    .limit(1);
  if (!row) return { state: "unknown" };
  if (row.inv.acceptedAt) return { state: "used" };
  if (row.inv.revokedAt) return { state: "revoked" };
  if (row.inv.expiresAt.getTime() <= now.getTime()) return { state: "expired" };
  const [account] = await db.select({ id: users.id }).from(users).where(eq(users.email, row.inv.email)).limit(1);
  return {
    state: "valid",
    id: row.inv.id,
    orgId: row.inv.orgId,
    orgSlug: row.orgSlug,
    orgName: row.orgName,
    email: row.inv.email,
    role: row.inv.role,
    accountExists: Boolean(account),
  };
}

export const INVITATION_REFUSED: Record<Exclude<InvitationLink["state"], "valid">, string> = {
  expired: "This invitation has expired. Ask an admin of the organization to send a new one.",
  used: "This invitation was already used.",
  revoked: "This invitation was revoked.",
  unknown: "This invitation link is not valid. Ask for a new one (a resent invitation replaces the old link).",
};

/**
 * Accepts an invitation for a signed-in account, which must have the invited email address (the link proves access
 * to that inbox, nothing else). Single use: the row is locked and marked accepted in the caller's transaction.
 */
export async function acceptInvitation(tx: Db, userId: number, token: string, now = new Date()): Promise<{ orgSlug: string }> {
  const [row] = await tx
    .select()
    .from(invitations)
    .where(eq(invitations.tokenHash, hashInvitationToken(token)))
    .for("update")
    .limit(1);
  const state = !row ? "unknown" : row.acceptedAt ? "used" : row.revokedAt ? "revoked" : row.expiresAt.getTime() <= now.getTime() ? "expired" : "valid";
  if (!row || state !== "valid") throw new AccountError(INVITATION_REFUSED[state as keyof typeof INVITATION_REFUSED]);
  const [user] = await tx.select({ email: users.email, name: users.name }).from(users).where(eq(users.id, userId));
  if (!user) throw new AccountError("Your account no longer exists.");
  if (user.email !== row.email) {
    throw new AccountError(`This invitation is for ${row.email}. Sign in with that address to accept it.`);
  }
  await tx.insert(memberships).values({ orgId: row.orgId, userId, role: row.role }).onConflictDoNothing();
  await tx.update(invitations).set({ acceptedAt: now, acceptedBy: userId }).where(eq(invitations.id, row.id));
  await recordAudit(tx, {
    orgId: row.orgId,
    actorUserId: userId,
    action: "invitation.accepted",
    targetType: "invitation",
    targetId: row.id,
    summary: `${user.name} (${user.email}) accepted the invitation and joined as ${ROLE_LABELS[row.role]}`,
  });
  const [org] = await tx.select({ slug: orgs.slug }).from(orgs).where(eq(orgs.id, row.orgId));
  return { orgSlug: org.slug };
}

/**
 * Accepting as a new account: creates the user with the invited address (name + password), then accepts, in the
 * caller's transaction. An address that already has an account must sign in instead.
 */
export async function signUpWithInvitation(
  tx: Db,
  token: string,
  input: { name: string; password: string },
  now = new Date(),
): Promise<{ email: string; orgSlug: string }> {
  const link = await lookupInvitation(tx, token, now);
  if (link.state !== "valid") throw new AccountError(INVITATION_REFUSED[link.state]);
  const passwordHash = await hashPassword(input.password);
  const [user] = await tx
    .insert(users)
    .values({ email: link.email, name: input.name.trim(), passwordHash })
    .onConflictDoNothing({ target: users.email })
    .returning({ id: users.id });
  if (!user) throw new AccountError("An account with this email already exists. Sign in to accept the invitation.");
  const { orgSlug } = await acceptInvitation(tx, user.id, token, now);
  return { email: link.email, orgSlug };
}
