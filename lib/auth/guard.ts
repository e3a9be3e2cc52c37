import "server-only";
import { and, eq } from "drizzle-orm";
import { getDb } from "@/db/client";
import { memberships, orgs, type Role } from "@/db/schema";
import { roleCan, type Permission } from "./permissions";

/** Refusal of a request: 401 no session, 403 member without the permission, 404 not a member (or no such org). */
export class AccessError extends Error {
  constructor(
    readonly status: 401 | 403 | 404,
    message: string,
  ) {
    super(message);
    this.name = "AccessError";
  }
}

export type MemberContext = {
  userId: number;
  orgId: number;
  orgSlug: string;
  orgName: string;
  role: Role;
  can: (permission: Permission) => boolean;
};

export type OrgRef = { slug: string } | { id: number };

/**
 * The one authorization check: the caller is signed in, belongs to the org and holds the permission.
 * A non-member gets 404 whether or not the org exists, so org ids and slugs are not revealed.
 */
export async function requireMember(
  userId: number | null | undefined,
  org: OrgRef,
  permission: Permission = "org.read",
): Promise<MemberContext> {
  if (!userId) throw new AccessError(401, "Please sign in.");
  const db = await getDb();
  const [row] = await db
    .select({ orgId: orgs.id, slug: orgs.slug, name: orgs.name, role: memberships.role })
    .from(memberships)
    .innerJoin(orgs, eq(orgs.id, memberships.orgId))
    .where(and(eq(memberships.userId, userId), "slug" in org ? eq(orgs.slug, org.slug) : eq(orgs.id, org.id)))
    .limit(1);
  if (!row) throw new AccessError(404, "Organization not found.");
  const role = row.role;
  if (!roleCan(role, permission)) {
    throw new AccessError(403, "You do not have permission to do that. Ask an owner or admin of this organization.");
  }
  return {
    userId,
    orgId: row.orgId,
    orgSlug: row.slug,
    orgName: row.name,
    role,
    can: (p) => roleCan(role, p),
  };
}
