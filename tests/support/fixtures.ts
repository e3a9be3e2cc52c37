import { users, orgs, memberships, type Role } from "@/db/schema";
import type { Db } from "@/db/client";

let counter = 0;

/** Inserts a user (password hash is a placeholder: these users do not sign in through the form). */
export async function insertUser(db: Db, email?: string, name = "Test User") {
  counter++;
  const [user] = await db
    .insert(users)
    .values({ email: email ?? `user${counter}-${Date.now()}@example.com`, name, passwordHash: "!" })
    .returning();
  return user;
}

/** Inserts an org with the given user as a member of the given role. */
export async function insertOrg(db: Db, ownerId: number, slug?: string, role: Role = "owner") {
  counter++;
  const [org] = await db
    .insert(orgs)
    .values({ slug: slug ?? `org-${counter}-${Date.now()}`, name: slug ?? `Org ${counter}` })
    .returning();
  await db.insert(memberships).values({ orgId: org.id, userId: ownerId, role });
  return org;
}

/** Adds a user to an org with a role. */
export async function addMembership(db: Db, orgId: number, userId: number, role: Role) {
  await db.insert(memberships).values({ orgId, userId, role });
}

/**
 * The standard tenancy cast: org A with an owner, an admin and a member; org B with its own owner.
 * Tests use B's owner (and A's member) to prove refusals.
 */
export async function twoOrgs(db: Db) {
  const ownerA = await insertUser(db, undefined, "Owner A");
  const adminA = await insertUser(db, undefined, "Admin A");
  const memberA = await insertUser(db, undefined, "Member A");
  const ownerB = await insertUser(db, undefined, "Owner B");
  const orgA = await insertOrg(db, ownerA.id, "org-a");
  await addMembership(db, orgA.id, adminA.id, "admin");
  await addMembership(db, orgA.id, memberA.id, "member");
  const orgB = await insertOrg(db, ownerB.id, "org-b");
  return { orgA, orgB, ownerA, adminA, memberA, ownerB };
}
