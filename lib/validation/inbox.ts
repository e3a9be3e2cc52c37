import { z } from "zod";
import { INBOX_MAX_DELAY_MS } from "@/lib/inbox/constants";

/** Inbox name: what the list shows. */
export const inboxNameSchema = z
  .string()
  .trim()
  .min(1, "Give the inbox a name.")
  .max(50, "Use at most 50 characters.");

/** The HTTP status an inbox answers with (200–599). */
export const inboxStatusSchema = z.coerce
  .number({ error: "Enter a status code such as 200 or 500." })
  .int("Enter a whole status code.")
  .min(200, "Use a status from 200 to 599.")
  .max(599, "Use a status from 200 to 599.");

/** Delay before answering, in seconds as the form takes it (0–30; fractions allowed, kept to the millisecond). */
export const inboxDelaySecondsSchema = z.coerce
  .number({ error: "Enter a delay in seconds." })
  .min(0, "The delay cannot be negative.")
  .max(INBOX_MAX_DELAY_MS / 1000, `Use at most ${INBOX_MAX_DELAY_MS / 1000} seconds.`);

const empty = (v: unknown) => (v === "" || v === undefined || v === null ? undefined : v);

/** "Create inbox" and "Save" of the response settings. Delay is in seconds; the server stores milliseconds. */
export const inboxSettingsSchema = z.object({
  orgSlug: z.string().min(1),
  name: inboxNameSchema,
  responseStatus: z.preprocess(empty, inboxStatusSchema.default(200)),
  responseDelaySeconds: z.preprocess(empty, inboxDelaySecondsSchema.default(0)),
});
export type InboxSettingsInput = z.infer<typeof inboxSettingsSchema>;

/** An inbox chosen by id (clear, delete). */
export const inboxRefSchema = z.object({
  orgSlug: z.string().min(1),
  inboxId: z.coerce.number().int().positive("Pick an inbox."),
});

/** Editing an existing inbox. */
export const inboxUpdateSchema = inboxSettingsSchema.extend({ inboxId: z.coerce.number().int().positive("Pick an inbox.") });

/** Query of GET /api/orgs/{slug}/inboxes/{id}/requests. */
export const inboxRequestsQuerySchema = z.object({
  limit: z.preprocess(empty, z.coerce.number().int().min(1).max(500).default(50)),
});
