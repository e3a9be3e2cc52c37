/**
 * The webhook form's schema (README, "Webhooks"), shared by the browser form (instant field errors) and the server
 * actions (the authority). Isomorphic.
 */
import { z } from "zod";
import type { WebhookAuthType, WebhookDeviceScope, WebhookFormat, WebhookMethod } from "@/db/schema/webhooks";
import { EVENT_TYPES, SUBSCRIBABLE_EVENT_TYPES } from "@/lib/events/catalog";
import { headerNameProblem, HTTP_TOKEN, MAX_HEADERS, MAX_QUERY_PARAMS, valueProblem } from "@/lib/webhooks/http-rules";
import { templateProblem } from "@/lib/webhooks/request";
import { URL_MAX, webhookUrlProblem } from "@/lib/webhooks/url";

export { URL_MAX, webhookUrlProblem };

// Same lists as db/schema/webhooks (kept here so client code never imports the schema; `satisfies` keeps them in step).
export const WEBHOOK_METHODS = ["POST", "PUT", "PATCH"] as const satisfies readonly WebhookMethod[];
export const WEBHOOK_FORMATS = ["json", "form", "custom"] as const satisfies readonly WebhookFormat[];
export const WEBHOOK_AUTH_TYPES = ["none", "basic", "bearer"] as const satisfies readonly WebhookAuthType[];
export const WEBHOOK_DEVICE_SCOPES = ["all", "selected", "tags"] as const satisfies readonly WebhookDeviceScope[];

/** ActionState.code of a Save refused by the endpoint check (the form then offers "Save anyway"). */
export const ENDPOINT_CHECK_FAILED = "endpoint_check_failed";

export const NAME_MAX = 50;
export const DESCRIPTION_MAX = 512;
export const BODY_TEMPLATE_MAX = 16_384;
export const TAGS_MAX = 20;

export type WebhookSchemaOptions = {
  /** http:// and private/loopback hosts allowed (WEBHOOK_ALLOW_PRIVATE_URLS=1); the URL rules are lib/webhooks/url.ts. */
  allowHttp: boolean;
  /** The saved webhook's auth type when editing: blank secrets then mean "keep the stored one". */
  storedAuthType?: (typeof WEBHOOK_AUTH_TYPES)[number] | null;
};

const checkbox = z.preprocess((v) => v === true || v === "on" || v === "true" || v === "1", z.boolean());
/** A checkbox that must say on or off: anything else is refused rather than read as off. */
const strictCheckbox = (message: string) =>
  z.preprocess(
    (v) => (v === true || v === "on" || v === "true" || v === "1" ? true : v === false || v === "off" || v === "false" || v === "0" ? false : v),
    z.boolean({ error: message }),
  );

/** A header or query parameter row; `secret` ones are stored encrypted and shown masked (blank keeps the stored value). */
const nameValue = z.object({ name: z.string().trim().max(256), value: z.string().max(4096), secret: checkbox.default(false) });

/** The request part of the form: what the builder needs (used alone by "Send test event" on an unsaved form). */
export function webhookRequestSchema(options: WebhookSchemaOptions) {
  return z
    .object({
      url: z.string().trim(),
      method: z.enum(WEBHOOK_METHODS, { error: "Choose POST, PUT or PATCH." }).default("POST"),
      format: z.enum(WEBHOOK_FORMATS, { error: "Choose JSON, Form or Custom body." }).default("json"),
      bodyTemplate: z.string().max(BODY_TEMPLATE_MAX, `Body template must be ${BODY_TEMPLATE_MAX} characters or fewer.`).default(""),
      contentType: z.string().trim().max(200, "Content type must be 200 characters or fewer.").default(""),
      headers: z.array(nameValue).default([]),
      queryParams: z.array(nameValue).default([]),
      authType: z.enum(WEBHOOK_AUTH_TYPES).default("none"),
      authUsername: z.string().max(256, "Username must be 256 characters or fewer.").default(""),
      authPassword: z.string().max(1024, "Password must be 1024 characters or fewer.").default(""),
      authToken: z.string().max(4096, "Token must be 4096 characters or fewer.").default(""),
    })
    .superRefine((v, ctx) => {
      const urlProblem = webhookUrlProblem(v.url, options.allowHttp);
      if (urlProblem) ctx.addIssue({ code: "custom", path: ["url"], message: urlProblem });
      if (v.format === "custom") {
        if (!v.bodyTemplate.trim()) ctx.addIssue({ code: "custom", path: ["bodyTemplate"], message: "Body template is required for a custom body." });
        const problem = templateProblem(v.bodyTemplate);
        if (problem) ctx.addIssue({ code: "custom", path: ["bodyTemplate"], message: problem });
        if (!v.contentType) ctx.addIssue({ code: "custom", path: ["contentType"], message: "Content type is required for a custom body." });
        else if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+\/[!#$%&'*+\-.^_`|~0-9A-Za-z]+(\s*;.*)?$/.test(v.contentType) || /[\r\n]/.test(v.contentType)) {
          ctx.addIssue({ code: "custom", path: ["contentType"], message: "Enter a media type such as application/json." });
        }
      }
      const rows = (list: { name: string; value: string }[], field: "headers" | "queryParams", max: number, label: string) => {
        if (list.length > max) {
          ctx.addIssue({ code: "custom", path: [field], message: `At most ${max} ${label}s.` });
          return;
        }
        const seen = new Set<string>();
        list.forEach((row, i) => {
          const where = `${label[0].toUpperCase()}${label.slice(1)} ${i + 1}`;
          if (!row.name && !row.value) return; // an empty row is ignored
          if (field === "headers") {
            const problem = headerNameProblem(row.name);
            if (problem) ctx.addIssue({ code: "custom", path: [field], message: `${where}: ${problem}` });
            const key = row.name.toLowerCase();
            // Credentials never sit in plain sight: Basic and Bearer go in the Authentication field; another scheme
            // (InfluxDB's "Token …") is a custom Authorization header only when marked Secret (encrypted, masked).
            if (key === "authorization") {
              const secret = (row as { secret?: boolean }).secret === true;
              const message =
                v.authType !== "none"
                  ? `${where}: the Authentication field already sets Authorization; remove this header or set Authentication to None.`
                  : !secret
                    ? `${where}: an Authorization header must be marked Secret (stored encrypted, shown masked); for Basic or Bearer use the Authentication field.`
                    : null;
              if (message) ctx.addIssue({ code: "custom", path: [field], message });
            }
            if (seen.has(key)) ctx.addIssue({ code: "custom", path: [field], message: `${where}: "${row.name}" is listed twice.` });
            seen.add(key);
          } else if (!row.name) {
            ctx.addIssue({ code: "custom", path: [field], message: `${where}: name is required.` });
          } else if (!HTTP_TOKEN.test(row.name)) {
            ctx.addIssue({ code: "custom", path: [field], message: `${where}: "${row.name}" is not a valid parameter name (letters, digits and !#$%&'*+-.^_\`|~ only).` });
          }
          const vp = valueProblem(row.value);
          if (vp) ctx.addIssue({ code: "custom", path: [field], message: `${where}: ${vp}` });
          const tp = templateProblem(row.value);
          if (tp) ctx.addIssue({ code: "custom", path: [field], message: `${where}: ${tp}` });
        });
      };
      rows(v.headers, "headers", MAX_HEADERS, "header");
      rows(v.queryParams, "queryParams", MAX_QUERY_PARAMS, "query parameter");
      const keep = options.storedAuthType === v.authType;
      if (v.authType === "basic") {
        if (!v.authUsername) ctx.addIssue({ code: "custom", path: ["authUsername"], message: "Username is required for Basic authentication." });
        if (v.authUsername.includes(":")) ctx.addIssue({ code: "custom", path: ["authUsername"], message: "Username cannot contain a colon." });
        if (!v.authPassword && !keep) ctx.addIssue({ code: "custom", path: ["authPassword"], message: "Password is required for Basic authentication." });
      }
      if (v.authType === "bearer" && !v.authToken && !keep) {
        ctx.addIssue({ code: "custom", path: ["authToken"], message: "Token is required for Bearer authentication." });
      }
      if (v.authType === "bearer" && /[\r\n]/.test(v.authToken)) {
        ctx.addIssue({ code: "custom", path: ["authToken"], message: "Line breaks are not allowed in the token." });
      }
    })
    .transform((v) => ({
      ...v,
      headers: v.headers.filter((r) => r.name || r.value),
      queryParams: v.queryParams.filter((r) => r.name || r.value),
    }));
}

/** The whole Create/Edit form. */
export function webhookFormSchema(options: WebhookSchemaOptions) {
  return z
    .object({
      orgSlug: z.string(),
      id: z.coerce.number().int().positive().optional(),
      name: z.string().trim(),
      description: z.string().trim().max(DESCRIPTION_MAX, `Description must be ${DESCRIPTION_MAX} characters or fewer.`).default(""),
      events: z.array(z.string()).default([]),
      deviceScope: z.enum(WEBHOOK_DEVICE_SCOPES).default("all"),
      deviceIds: z.array(z.coerce.number().int().positive()).default([]),
      deviceTags: z.array(z.string().trim().min(1).max(64, "Tags are at most 64 characters.")).max(TAGS_MAX, `At most ${TAGS_MAX} tags.`).default([]),
      skipEndpointCheck: checkbox.default(false),
      /** Active (create only): a webhook created inactive is saved disabled and receives nothing until enabled. */
      enabled: strictCheckbox("Active must be on or off.").default(true),
    })
    .superRefine((v, ctx) => {
      if (!v.name) ctx.addIssue({ code: "custom", path: ["name"], message: "Webhook Name is required." });
      else if (v.name.length > NAME_MAX) ctx.addIssue({ code: "custom", path: ["name"], message: `Webhook Name must be ${NAME_MAX} characters or fewer.` });
      if (v.events.length === 0) ctx.addIssue({ code: "custom", path: ["events"], message: "Select at least one event." });
      const unknown = v.events.filter((e) => !(SUBSCRIBABLE_EVENT_TYPES as readonly string[]).includes(e));
      if (unknown.length) ctx.addIssue({ code: "custom", path: ["events"], message: `Unknown event type: ${unknown.join(", ")}.` });
      if (v.deviceScope === "selected" && v.deviceIds.length === 0) ctx.addIssue({ code: "custom", path: ["deviceIds"], message: "Pick at least one device." });
      if (v.deviceScope === "tags" && v.deviceTags.length === 0) ctx.addIssue({ code: "custom", path: ["deviceTags"], message: "Enter at least one tag." });
    })
    .and(webhookRequestSchema(options));
}

export type WebhookFormInput = z.infer<ReturnType<typeof webhookFormSchema>>;
export type WebhookRequestInput = z.infer<ReturnType<typeof webhookRequestSchema>>;

/** "Send test event": either a saved webhook (id) or the unsaved form's request part. */
export const testEventTypeSchema = z.enum(EVENT_TYPES).default("webhook.test");
