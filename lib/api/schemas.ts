// The public API's shared zod schemas (request and response). The handlers validate with them and the OpenAPI
// document is generated from them (lib/api/openapi.ts).
import { z } from "zod";
import {
  DEVICE_STATUSES,
  MAX_TAGS,
  OFFLINE_AFTER_MAX,
  OFFLINE_AFTER_MIN,
  TAG_PATTERN,
  udidSchema,
} from "@/lib/validation/devices";

export const isoDateTime = z.string().meta({ format: "date-time", example: "2026-12-02T10:00:00.000Z" });

/** A positive integer id in a path. */
export const idParam = z.coerce.number().int().positive().max(2_147_483_647);

export const limitQuery = z.coerce
  .number()
  .int()
  .min(1, "limit must be between 1 and 200")
  .max(200, "limit must be between 1 and 200")
  .default(50)
  .meta({ description: "Page size (1–200, default 50)" });

export function listOf<T extends z.ZodType>(item: T, id: string, cursor: z.ZodType) {
  return z
    .object({
      data: z.array(item),
      hasMore: z.boolean().meta({ description: "Whether another page follows" }),
      nextStartingAfter: cursor.nullable().meta({ description: "Pass as starting_after for the next page (null on the last page)" }),
    })
    .meta({ id });
}

export const deviceSchema = z
  .object({
    id: z.number().int(),
    udid: z.string(),
    name: z.string(),
    tags: z.array(z.string()),
    status: z.enum(DEVICE_STATUSES),
    lastSeenAt: isoDateTime.nullable(),
    registeredAt: isoDateTime.nullable(),
    firmwareVersion: z.string().nullable(),
    offlineAfterSeconds: z.number().int(),
    createdAt: isoDateTime,
    configState: z
      .enum(["pending", "failed"])
      .nullable()
      .meta({ description: "Desired configuration not yet applied (pending) or refused by the device (failed); null when in sync" }),
    lastContactIp: z.string().nullable().meta({ description: "Client address of the last contact" }),
    lastSignals: z.record(z.string(), z.unknown()).meta({ description: "Last-known value of every signal, by name" }),
  })
  .meta({ id: "Device" });

const tagSchema = z
  .string()
  .min(1, "Tags must not be empty")
  .max(32, "Each tag must be at most 32 characters")
  .regex(TAG_PATTERN, "Tags may only contain letters, digits and _ . : / -");

const tagsSchema = z.array(tagSchema).max(MAX_TAGS, `At most ${MAX_TAGS} tags`);
const offlineAfterSchema = z
  .number({ error: "offlineAfterSeconds must be a whole number of seconds" })
  .int("offlineAfterSeconds must be a whole number of seconds")
  .min(OFFLINE_AFTER_MIN, `offlineAfterSeconds must be at least ${OFFLINE_AFTER_MIN}`)
  .max(OFFLINE_AFTER_MAX, `offlineAfterSeconds must be at most ${OFFLINE_AFTER_MAX}`);

export const deviceCreateBody = z
  .strictObject({
    udid: udidSchema,
    name: z.string().trim().max(100, "name must be at most 100 characters").optional().meta({ description: "Defaults to the UDID" }),
    tags: tagsSchema.optional(),
    offlineAfterSeconds: offlineAfterSchema.optional().meta({ description: "Default 300" }),
  })
  .meta({ id: "DeviceCreate" });

export const deviceUpdateBody = z
  .strictObject({
    name: z.string().trim().min(1, "name must not be empty").max(100, "name must be at most 100 characters").optional(),
    tags: tagsSchema.optional(),
    offlineAfterSeconds: offlineAfterSchema.optional(),
  })
  .meta({ id: "DeviceUpdate" });

/** API create body → the domain's create input (name defaults to the UDID, tags de-duplicated). */
export function toDeviceCreateInput(body: z.output<typeof deviceCreateBody>) {
  return {
    udid: body.udid,
    name: body.name || body.udid,
    tags: [...new Set(body.tags ?? [])],
    offlineAfterSeconds: body.offlineAfterSeconds ?? 300,
  };
}
