import "server-only";
import { notFound, redirect } from "next/navigation";
import { AccessError, requireMember, type MemberContext } from "./guard";
import type { Permission } from "./permissions";
import { getSessionUserId } from "@/lib/auth/session";

/** For portal pages: sign-in redirect without a session, the not-found page for non-members. */
export async function requireOrgPage(slug: string, permission: Permission = "org.read"): Promise<MemberContext> {
  const userId = await getSessionUserId();
  if (!userId) redirect("/sign-in");
  try {
    return await requireMember(userId, { slug }, permission);
  } catch (err) {
    if (err instanceof AccessError) notFound();
    throw err;
  }
}

/** For pages outside an org: the signed-in user's id, or a redirect to sign-in. */
export async function requireUserPage(): Promise<number> {
  const userId = await getSessionUserId();
  if (!userId) redirect("/sign-in");
  return userId;
}
