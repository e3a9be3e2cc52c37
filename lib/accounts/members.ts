import "server-only";
import { and, asc, eq, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { memberships, users, type Role } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { ROLE_LABELS } from "@/lib/auth/permissions";
import { AccountError } from "./errors";
import type { Actor } from "@/lib/actor";

/** Who is acting, in which org, with which role (a MemberContext satisfies this). */
/** A member acting on the members page: who they are and the role that decides what they may change. */
export type MemberActor = Actor & { userId: number; role: Role };

export type MemberRow = { userId: number; name: string; email: string; role: Role; joinedAt: Date };

const ROLE_ORDER = sql`case ${memberships.role} when 'owner' then 0 when 'admin' then 1 else 2 end`;

/** The org's members: owners first, then admins, then members, each by name. */
export async function listMembers(db: Db, orgId: number): Promise<MemberRow[]> {
  return db
    .select({
      userId: users.id,
      name: users.name,
      email: users.email,
      role: memberships.role,
      joinedAt: memberships.createdAt,
    })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.orgId, orgId))
    .orderBy(ROLE_ORDER, asc(users.name), asc(users.id));
}

const OWNER_ONLY = "Only an owner can grant or take away the owner role.";
const LAST_OWNER =
  "An organization needs at least one owner. Make another member an owner first, then change or remove this one.";

/** Locks the org's owner memberships (so two concurrent demotions cannot both pass the last-owner check) and counts them. */
async function lockOwners(tx: Db, orgId: number): Promise<number> {
  const rows = await tx
    .select({ userId: memberships.userId })
    .from(memberships)
    .where(and(eq(memberships.orgId, orgId), eq(memberships.role, "owner")))
    .for("update");
  return rows.length;
}

/** The target's membership in the actor's org (locked), or an AccountError: ids of other orgs are simply not found. */
async function lockMembership(tx: Db, orgId: number, userId: number) {
  const [row] = await tx
    .select({ userId: users.id, name: users.name, email: users.email, role: memberships.role })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId)))
    .for("update", { of: memberships })
    .limit(1);
  if (!row) throw new AccountError("That person is not a member of this organization (anymore). Reload the page.");
  return row;
}

/** Adds an existing user, found by email, with a role. Only an owner may add an owner. Call inside a transaction. */
export async function addMember(tx: Db, actor: MemberActor, input: { email: string; role: Role }): Promise<MemberRow> {
  if (input.role === "owner" && actor.role !== "owner") throw new AccountError(OWNER_ONLY, { role: [OWNER_ONLY] });
  const email = input.email.trim().toLowerCase();
  const [user] = await tx
    .select({ id: users.id, name: users.name, email: users.email })
    .from(users)
    .where(eq(users.email, email))
    .limit(1);
  if (!user) {
    const msg = "No account uses this email. Ask them to sign up first, then add them here.";
    throw new AccountError(msg, { email: [msg] });
  }
  const [row] = await tx
    .insert(memberships)
    .values({ orgId: actor.orgId, userId: user.id, role: input.role })
    .onConflictDoNothing()
    .returning({ createdAt: memberships.createdAt });
  if (!row) {
    const msg = `${user.email} is already a member of this organization.`;
    throw new AccountError(msg, { email: [msg] });
  }
  await recordAudit(tx, {
    orgId: actor.orgId,
    actorUserId: actor.userId,
    action: "member.added",
    targetType: "user",
    targetId: user.id,
    summary: `Added ${user.name} (${user.email}) as ${ROLE_LABELS[input.role]}`,
    details: { email: user.email, role: input.role },
  });
  return { userId: user.id, name: user.name, email: user.email, role: input.role, joinedAt: row.createdAt };
}

/**
 * Changes a member's role. Only an owner may grant or take away the owner role, and the last owner cannot be
 * demoted. Returns whether anything changed. Call inside a transaction.
 */
export async function changeMemberRole(
  tx: Db,
  actor: MemberActor,
  input: { userId: number; role: Role },
): Promise<{ changed: boolean; member: { name: string; email: string; role: Role } }> {
  const involvesOwner = input.role === "owner";
  const owners = await lockOwners(tx, actor.orgId);
  const target = await lockMembership(tx, actor.orgId, input.userId);
  if (target.role === input.role) return { changed: false, member: target };
  if ((involvesOwner || target.role === "owner") && actor.role !== "owner") throw new AccountError(OWNER_ONLY);
  if (target.role === "owner" && owners <= 1) throw new AccountError(LAST_OWNER);
  await tx
    .update(memberships)
    .set({ role: input.role })
    .where(and(eq(memberships.orgId, actor.orgId), eq(memberships.userId, input.userId)));
  await recordAudit(tx, {
    orgId: actor.orgId,
    actorUserId: actor.userId,
    action: "member.role_changed",
    targetType: "user",
    targetId: target.userId,
    summary: `Changed the role of ${target.name} (${target.email}) from ${ROLE_LABELS[target.role]} to ${ROLE_LABELS[input.role]}`,
    details: { email: target.email, from: target.role, to: input.role },
  });
  return { changed: true, member: { ...target, role: input.role } };
}

/**
 * Removes a member from the org (their account stays). Only an owner may remove an owner, and the last owner
 * cannot be removed. Call inside a transaction.
 */
export async function removeMember(
  tx: Db,
  actor: MemberActor,
  input: { userId: number },
): Promise<{ name: string; email: string; role: Role }> {
  const owners = await lockOwners(tx, actor.orgId);
  const target = await lockMembership(tx, actor.orgId, input.userId);
  if (target.role === "owner" && actor.role !== "owner") throw new AccountError(OWNER_ONLY);
  if (target.role === "owner" && owners <= 1) throw new AccountError(LAST_OWNER);
  await tx.delete(memberships).where(and(eq(memberships.orgId, actor.orgId), eq(memberships.userId, input.userId)));
  const self = target.userId === actor.userId;
  await recordAudit(tx, {
    orgId: actor.orgId,
    actorUserId: actor.userId,
    action: "member.removed",
    targetType: "user",
    targetId: target.userId,
    summary: self
      ? `${target.name} (${target.email}) left the organization`
      : `Removed ${target.name} (${target.email}) (${ROLE_LABELS[target.role]})`,
    details: { email: target.email, role: target.role },
  });
  return target;
}
