import "server-only";
import { getDb } from "@/db/client";
import { getSessionUserId } from "@/lib/auth/session";
import { findUser, listUserOrgs } from "./orgs";

/** The signed-in user's row, or null without a session or when the account no longer exists (stale cookie). */
export async function getSignedInUser(): Promise<{ id: number; name: string; email: string } | null> {
  const userId = await getSessionUserId();
  if (!userId) return null;
  return findUser(await getDb(), userId);
}

/**
 * Where a signed-in user lands: their first org's fleet overview, or the new-org page when they belong to none.
 * (A new sign-up lands on the empty device list instead, to add a first device: lib/actions/auth.ts.)
 */
export async function homePathFor(userId: number): Promise<string> {
  const [first] = await listUserOrgs(await getDb(), userId);
  return first ? `/orgs/${first.slug}` : "/orgs/new";
}
