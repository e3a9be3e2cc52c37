/**
 * Zod schemas of the delivery log: list filters (JSON route and page), Redeliver and Replay (server actions).
 * Isomorphic: no server imports.
 */
import { z } from "zod";

export const DELIVERY_STATUSES = ["pending", "succeeded", "failed"] as const;
export const DELIVERY_STATUS_LABELS: Record<(typeof DELIVERY_STATUSES)[number], string> = {
  pending: "Pending",
  succeeded: "Succeeded",
  failed: "Failed",
};

const emptyToUndefined = (v: unknown) => (v === "" || v === null ? undefined : v);

/** Query string of GET /api/orgs/{slug}/deliveries. */
export const deliveryFiltersSchema = z.object({
  status: z.preprocess(emptyToUndefined, z.enum(DELIVERY_STATUSES, { error: "Unknown status" }).optional()),
  eventType: z.preprocess(
    emptyToUndefined,
    z.string().max(64).regex(/^[a-z.]+$/, "Unknown event type").optional(),
  ),
  device: z.preprocess(emptyToUndefined, z.string().trim().max(64).optional()),
  webhookId: z.preprocess(emptyToUndefined, z.coerce.number().int().positive().optional()),
  before: z.preprocess(emptyToUndefined, z.coerce.number().int().positive().optional()),
  limit: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(200).optional()),
});
export type DeliveryFilters = z.infer<typeof deliveryFiltersSchema>;

export const redeliverSchema = z.object({
  orgSlug: z.string().min(1),
  deliveryId: z.coerce.number({ error: "Delivery is missing" }).int().positive("Delivery is missing"),
});

/** "Replay failed deliveries since": a date-time from <input type="datetime-local"> plus the browser's offset. */
export const replaySchema = z
  .object({
    orgSlug: z.string().min(1),
    since: z.string({ error: "Choose a date and time" }).min(1, "Choose a date and time"),
    /** Minutes to add to the local time to get UTC (Date#getTimezoneOffset of the browser). */
    tzOffset: z.preprocess(emptyToUndefined, z.coerce.number().int().min(-900).max(900).optional()),
    webhookId: z.preprocess(emptyToUndefined, z.coerce.number().int().positive().optional()),
  })
  .transform((v, ctx) => {
    const hasZone = /(Z|[+-]\d\d:\d\d)$/.test(v.since);
    const base = Date.parse(hasZone ? v.since : `${v.since}Z`);
    if (Number.isNaN(base)) {
      ctx.addIssue({ code: "custom", path: ["since"], message: "Not a valid date and time" });
      return z.NEVER;
    }
    const since = new Date(hasZone ? base : base + (v.tzOffset ?? 0) * 60_000);
    if (since.getTime() > Date.now() + 60_000) {
      ctx.addIssue({ code: "custom", path: ["since"], message: "Choose a time in the past" });
      return z.NEVER;
    }
    return { orgSlug: v.orgSlug, since, webhookId: v.webhookId };
  });
