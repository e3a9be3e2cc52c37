/**
 * My notifications (README, "Email"): the form's schema, shared by the browser form and the server action (the
 * authority). Isomorphic. Unknown event types, a digest window outside the choices, oversized tags or lists are
 * field errors, never a 500.
 */
import { z } from "zod";
import type { NotificationMode, NotificationScope } from "@/db/schema/notifications";
import { SUBSCRIBABLE_EVENT_TYPES } from "@/lib/events/catalog";

// Same lists as db/schema/notifications (kept here so client code never imports the schema).
export const NOTIFICATION_MODES = ["each", "digest"] as const satisfies readonly NotificationMode[];
export const NOTIFICATION_SCOPES = ["all", "selected", "tags"] as const satisfies readonly NotificationScope[];
export const DIGEST_MINUTE_CHOICES = [5, 15, 60] as const;
export const NOTIFY_TAGS_MAX = 20;
export const NOTIFY_DEVICES_MAX = 500;
/**
 * The event types a member can be emailed about: the subscribable catalog minus device.telemetry (a device reports
 * telemetry every few seconds: that belongs in a webhook, not an inbox).
 */
export const NOTIFIABLE_EVENT_TYPES = SUBSCRIBABLE_EVENT_TYPES.filter((t) => t !== "device.telemetry");

const checkbox = z.preprocess((v) => v === true || v === "on" || v === "true" || v === "1", z.boolean());

export const notificationPrefsSchema = z
  .object({
    orgSlug: z.string(),
    events: z.array(z.string().max(100, "Unknown event type.")).max(100, "Too many event types.").default([]),
    // the form always sends both radios: a request without them is malformed, not "all, each event"
    deviceScope: z.enum(NOTIFICATION_SCOPES, { error: "Choose all devices, selected devices or devices with tags." }),
    deviceIds: z
      .array(z.coerce.number({ error: "Pick devices from the list." }).int("Pick devices from the list.").positive("Pick devices from the list.").max(2_147_483_647, "Pick devices from the list."))
      .max(NOTIFY_DEVICES_MAX, `At most ${NOTIFY_DEVICES_MAX} devices.`)
      .default([]),
    deviceTags: z
      .array(z.string().trim().min(1, "Tags cannot be empty.").max(64, "Tags are at most 64 characters."))
      .max(NOTIFY_TAGS_MAX, `At most ${NOTIFY_TAGS_MAX} tags.`)
      .default([]),
    mode: z.enum(NOTIFICATION_MODES, { error: "Choose each event or a digest." }),
    digestMinutes: z.coerce
      .number({ error: "Choose 5, 15 or 60 minutes." })
      .refine((n) => (DIGEST_MINUTE_CHOICES as readonly number[]).includes(n), "Choose 5, 15 or 60 minutes.")
      .default(15),
    alerts: checkbox.default(false),
  })
  .superRefine((v, ctx) => {
    const unknown = v.events.filter((e) => !(NOTIFIABLE_EVENT_TYPES as readonly string[]).includes(e));
    if (unknown.length) ctx.addIssue({ code: "custom", path: ["events"], message: `Unknown event type: ${unknown.slice(0, 3).join(", ").slice(0, 200)}.` });
    if (v.events.length > 0 && v.deviceScope === "selected" && v.deviceIds.length === 0) {
      ctx.addIssue({ code: "custom", path: ["deviceIds"], message: "Pick at least one device." });
    }
    if (v.events.length > 0 && v.deviceScope === "tags" && v.deviceTags.length === 0) {
      ctx.addIssue({ code: "custom", path: ["deviceTags"], message: "Enter at least one tag." });
    }
  })
  .transform((v) => ({
    ...v,
    events: [...new Set(v.events)],
    deviceIds: v.deviceScope === "selected" ? [...new Set(v.deviceIds)] : [],
    deviceTags: v.deviceScope === "tags" ? [...new Set(v.deviceTags)] : [],
  }));

export type NotificationPrefsInput = z.infer<typeof notificationPrefsSchema>;
