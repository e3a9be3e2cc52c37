// The webhook fixtures every test shares: request settings as the builder takes them, and the webhook form as the
// browser submits it (FormData with the state as __json). Pure: no database, no server imports.
import type { WebhookSettings } from "@/lib/webhooks/types";

/** Settings for the request builder: a JSON POST with no auth, custom headers or query; override what a test needs. */
export function webhookSettings(extra: Partial<WebhookSettings> = {}): WebhookSettings {
  return {
    id: 129,
    name: "Webhook for All events",
    url: "https://hooks.example.com/in",
    method: "POST",
    format: "json",
    bodyTemplate: null,
    contentType: null,
    headers: [],
    queryParams: [],
    auth: { type: "none" },
    ...extra,
  };
}

/** The Create/Edit Webhook form's values (endpoint check skipped); override what a test needs. */
export function webhookForm(orgSlug: string, name: string, url: string, extra: Record<string, unknown> = {}) {
  return {
    orgSlug,
    name,
    url,
    description: "",
    events: ["device.status.online", "device.status.offline"],
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

/** Submits like the browser form does: a FormData with the org slug and the whole state as __json. */
export function asFormData(values: Record<string, unknown>): FormData {
  const fd = new FormData();
  fd.set("orgSlug", String(values.orgSlug));
  fd.set("__json", JSON.stringify(values));
  return fd;
}
