"use server";

import { revalidatePath } from "next/cache";
import { getDb } from "@/db/client";
import { orgAction } from "@/lib/actions/safe-action";
import { createApiKey, revokeApiKey } from "@/lib/api/keys";
import { kickDelivery } from "@/lib/delivery/kick";
import { apiKeyCreateSchema, apiKeyRefSchema } from "@/lib/validation/api-keys";

export type CreatedApiKey = { id: number; name: string; scope: "read" | "write"; secret: string };

/** "Create API key" (owners, admins): the key is returned once, for the page to show with a copy button. */
export const createApiKeyAction = orgAction(apiKeyCreateSchema, "org_setting.modify", async (ctx, input) => {
  const { key, secret, deliveries } = await createApiKey(await getDb(), { orgId: ctx.orgId, userId: ctx.userId }, input);
  if (deliveries > 0) void kickDelivery();
  revalidatePath(`/orgs/${ctx.orgSlug}/settings/api-keys`);
  return {
    ok: true,
    message: `API key ${key.name} created.`,
    data: { id: key.id, name: key.name, scope: key.scope, secret } satisfies CreatedApiKey,
  };
});

/** "Revoke" (owners, admins): refused by the API from this moment on. */
export const revokeApiKeyAction = orgAction(apiKeyRefSchema, "org_setting.modify", async (ctx, input) => {
  const { revoked, deliveries } = await revokeApiKey(await getDb(), { orgId: ctx.orgId, userId: ctx.userId }, input.keyId);
  if (deliveries > 0) void kickDelivery();
  revalidatePath(`/orgs/${ctx.orgSlug}/settings/api-keys`);
  return { ok: true, message: revoked ? "The API key was revoked; it no longer works." : "That API key was already revoked." };
});
