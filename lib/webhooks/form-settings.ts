/**
 * Form values → the request builder's settings. The one mapping used by the server action (test events), the
 * manage code (endpoint check) and the form's live preview. Isomorphic: no server-only imports.
 */
import type { NameValue } from "@/db/schema/webhooks";
import type { WebhookRequestInput } from "@/lib/validation/webhooks";
import type { WebhookAuth, WebhookSettings } from "./types";

/** Shown as the webhook's name in the envelope while the form has none. */
export const UNSAVED_WEBHOOK_NAME = "Unsaved webhook";

/** The form's request fields (what the builder reads), whether parsed by the schema or as typed. */
export type SettingsInput = Pick<WebhookRequestInput, "url" | "method" | "format" | "bodyTemplate" | "contentType"> & {
  name?: string;
  headers: NameValue[];
  queryParams: NameValue[];
};

/** The builder's settings for the form's values (unsaved or being edited); `auth` is resolved by the caller. */
export function settingsFromInput(input: SettingsInput, id: number | null, auth: WebhookAuth): WebhookSettings {
  return {
    id,
    name: input.name || UNSAVED_WEBHOOK_NAME,
    url: input.url,
    method: input.method,
    format: input.format,
    bodyTemplate: input.format === "custom" ? input.bodyTemplate : null,
    contentType: input.format === "custom" ? input.contentType : null,
    headers: input.headers,
    queryParams: input.queryParams,
    auth,
  };
}

/**
 * The credentials as the browser knows them, for the preview (masked there): a blank password or token on an
 * edit form stands for the stored one, which the browser never sees.
 */
export function previewAuth(input: Pick<WebhookRequestInput, "authType" | "authUsername" | "authPassword" | "authToken">): WebhookAuth {
  if (input.authType === "basic") return { type: "basic", username: input.authUsername, password: input.authPassword || "kept" };
  if (input.authType === "bearer") return { type: "bearer", token: input.authToken || "kept" };
  return { type: "none" };
}
