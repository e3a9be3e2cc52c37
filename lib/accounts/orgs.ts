import "server-only";
import { and, asc, eq, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { memberships, orgs, users, type Role } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { hashPassword } from "@/lib/auth/password";
import { intEnv } from "@/lib/env";
import { AccountError } from "./errors";
import { freeSlugCandidate } from "./slug";

export type OrgSummary = { id: number; slug: string; name: string; role: Role };

/**
 * Creates an org with the user as its owner, and its first audit entry. The slug comes from the name and is made
 * unique; a concurrent insert of the same slug is absorbed by `on conflict do nothing` and the next candidate.
 * Call inside a transaction.
 */
export async function createOrgForUser(
  tx: Db,
  user: { id: number; name: string },
  orgName: string,
): Promise<{ id: number; slug: string; name: string }> {
  const name = orgName.trim();
  for (let attempt = 0; attempt < 5; attempt++) {
    let slug = await freeSlugCandidate(tx, name);
    if (attempt > 0) slug = `${slug}-${Math.random().toString(36).slice(2, 6)}`;
    const [org] = await tx
      .insert(orgs)
      .values({ slug, name })
      .onConflictDoNothing({ target: orgs.slug })
      .returning({ id: orgs.id, slug: orgs.slug, name: orgs.name });
    if (!org) continue;
    await tx.insert(memberships).values({ orgId: org.id, userId: user.id, role: "owner" });
    await recordAudit(tx, {
      orgId: org.id,
      actorUserId: user.id,
      action: "org.created",
      targetType: "org",
      targetId: org.id,
      summary: `${user.name} created the organization “${name}”`,
      details: { slug: org.slug },
    });
    return org;
  }
  throw new Error("could not find a free slug for the organization");
}

/** Organizations one user may own (MAX_ORGS_PER_USER, default 10), so one account cannot multiply its limits. */
export function maxOrgsPerUser(): number {
  return Math.max(1, Math.floor(intEnv("MAX_ORGS_PER_USER", 10)));
}

/**
 * Refuses another org when the user already owns MAX_ORGS_PER_USER. Locks the user's row first, so parallel
 * creations by one user are counted one after another. Call inside the transaction that creates the org.
 */
export async function assertOrgQuota(tx: Db, userId: number): Promise<void> {
  await tx.select({ id: users.id }).from(users).where(eq(users.id, userId)).for("update");
  const [{ n }] = await tx
    .select({ n: sql<number>`count(*)::int` })
    .from(memberships)
    .where(and(eq(memberships.userId, userId), eq(memberships.role, "owner")));
  const max = maxOrgsPerUser();
  if (Number(n) >= max) {
    throw new AccountError(
      `You already own ${max} organizations, the most one account can own. Delete one or ask an operator to raise MAX_ORGS_PER_USER.`,
      { name: [`You can own at most ${max} organizations`] },
    );
  }
}

/**
 * Registers a person: the user (email lower-cased, password hashed), an org from `orgName` where they are owner,
 * and the audit entry, in one transaction. A taken email is an AccountError on the `email` field.
 * Used by sign-up and by the demo seed.
 */
export async function createUserWithOrg(
  db: Db,
  input: { name: string; email: string; password: string; orgName: string },
): Promise<{ user: { id: number; email: string; name: string }; org: { id: number; slug: string; name: string } }> {
  const email = input.email.trim().toLowerCase();
  const name = input.name.trim();
  const passwordHash = await hashPassword(input.password);
  return db.transaction(async (tx) => {
    const [user] = await tx
      .insert(users)
      .values({ email, name, passwordHash })
      .onConflictDoNothing({ target: users.email })
      .returning({ id: users.id, email: users.email, name: users.name });
    if (!user) {
      throw new AccountError("An account with this email already exists. Sign in instead.", {
        email: ["An account with this email already exists"],
      });
    }
    const org = await createOrgForUser(tx, user, input.orgName);
    return { user, org };
  });
}

/** The orgs a user belongs to, by name (case-insensitive) (org switcher, landing page). */
export async function listUserOrgs(db: Db, userId: number): Promise<OrgSummary[]> {
  return db
    .select({ id: orgs.id, slug: orgs.slug, name: orgs.name, role: memberships.role })
    .from(memberships)
    .innerJoin(orgs, eq(orgs.id, memberships.orgId))
    .where(eq(memberships.userId, userId))
    .orderBy(sql`lower(${orgs.name})`, asc(orgs.id));
}

/** A user's display fields, or null when the account no longer exists. */
export async function findUser(db: Db, userId: number): Promise<{ id: number; name: string; email: string } | null> {
  const [row] = await db
    .select({ id: users.id, name: users.name, email: users.email })
    .from(users)
    .where(eq(users.id, userId))
    .limit(1);
  return row ?? null;
}

/** Renames an org (the slug stays, so links keep working) and records it. */
export async function renameOrg(
  tx: Db,
  actor: { userId: number; orgId: number },
  newName: string,
): Promise<{ changed: boolean; name: string }> {
  const name = newName.trim();
  const [current] = await tx
    .select({ name: orgs.name })
    .from(orgs)
    .where(eq(orgs.id, actor.orgId))
    .for("update")
    .limit(1);
  if (!current) throw new AccountError("Organization not found.");
  if (current.name === name) return { changed: false, name };
  await tx.update(orgs).set({ name }).where(eq(orgs.id, actor.orgId));
  await recordAudit(tx, {
    orgId: actor.orgId,
    actorUserId: actor.userId,
    action: "org.renamed",
    targetType: "org",
    targetId: actor.orgId,
    summary: `Renamed the organization from “${current.name}” to “${name}”`,
    details: { from: current.name, to: name },
  });
  return { changed: true, name };
}

