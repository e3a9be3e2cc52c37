"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { getDb } from "@/db/client";
import { AccountError, assertOrgQuota, createOrgForUser, findUser, renameOrg } from "@/lib/accounts";
import { createOrgSchema, renameOrgSchema } from "@/lib/validation/org";
import { orgAction, UserError, userAction } from "./safe-action";

/** Settings → rename the organization (owner/admin). The slug, and so every link, stays. */
export const renameOrgAction = orgAction(renameOrgSchema, "org_setting.modify", async (ctx, input) => {
  const db = await getDb();
  const result = await db
    .transaction((tx) => renameOrg(tx, ctx, input.name))
    .catch((err) => {
      if (err instanceof AccountError) throw new UserError(err.message, err.errors);
      throw err;
    });
  revalidatePath(`/orgs/${ctx.orgSlug}`, "layout");
  return {
    ok: true,
    message: result.changed ? `Renamed to “${result.name}”.` : "Nothing to change: that is already the name.",
    values: { name: result.name },
  };
});

/** Creates another org for the signed-in user (they become its owner) and opens it. */
export const createOrgAction = userAction(createOrgSchema, async (userId, input) => {
  const db = await getDb();
  const user = await findUser(db, userId);
  if (!user) throw new UserError("Your account no longer exists. Please sign in again.");
  const org = await db
    .transaction(async (tx) => {
      await assertOrgQuota(tx, userId);
      return createOrgForUser(tx, user, input.name);
    })
    .catch((err) => {
      if (err instanceof AccountError) throw new UserError(err.message, err.errors);
      throw err;
    });
  redirect(`/orgs/${org.slug}/devices`);
});
