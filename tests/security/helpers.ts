import type { Db } from "@/db/client";
import { webhookFormSchema } from "@/lib/validation/webhooks";
import { createWebhook, updateWebhook } from "@/lib/webhooks/manage";

/** A valid Create Webhook form (as the browser sends it), with overrides. */
export function webhookFormValues(orgSlug: string, extra: Record<string, unknown> = {}) {
  return {
    orgSlug,
    name: "secure",
    url: "https://hooks.example.com/in",
    description: "",
    events: ["device.status.offline"],
    method: "POST",
    format: "json",
    headers: [],
    queryParams: [],
    authType: "none",
    deviceScope: "all",
    skipEndpointCheck: true,
    ...extra,
  };
}

const noCheck = async () => null;

/** Creates a webhook through the real manage code (schema → sealing → insert). */
export async function createThroughForm(db: Db, actor: { orgId: number; userId: number }, orgSlug: string, extra: Record<string, unknown> = {}) {
  const input = webhookFormSchema({ allowHttp: true }).parse(webhookFormValues(orgSlug, extra));
  return createWebhook(db, actor, input, noCheck);
}

export async function updateThroughForm(
  db: Db,
  actor: { orgId: number; userId: number },
  id: number,
  orgSlug: string,
  storedAuthType: "none" | "basic" | "bearer",
  extra: Record<string, unknown> = {},
) {
  const input = webhookFormSchema({ allowHttp: true, storedAuthType }).parse(webhookFormValues(orgSlug, extra));
  return updateWebhook(db, actor, id, input, noCheck);
}
