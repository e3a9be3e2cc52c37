/**
 * Zod schemas for devices: the portal form (shared by the client form, the server action and the JSON route) and
 * the device API bodies. Isomorphic: no server imports.
 */
import { z } from "zod";

/** Same list as db/schema/devices (kept here so client code never imports the schema). */
export const DEVICE_STATUSES = ["online", "offline", "utilizing", "unplugged"] as const;
export type DeviceStatusName = (typeof DEVICE_STATUSES)[number];
/**
 * The status as shown: an offline device that never made contact is "Never connected", not "Offline" (list,
 * filters, badges, the fleet overview).
 */
export const DEVICE_DISPLAY_STATUSES = ["online", "offline", "utilizing", "unplugged", "never_connected"] as const;
export type DeviceDisplayStatus = (typeof DEVICE_DISPLAY_STATUSES)[number];
export function displayStatus(d: { status: DeviceStatusName; lastSeenAt: string | null }): DeviceDisplayStatus {
  return d.status === "offline" && d.lastSeenAt === null ? "never_connected" : d.status;
}

export const UDID_PATTERN = /^[A-Za-z0-9._:-]+$/;
export const TAG_PATTERN = /^[A-Za-z0-9_.:/-]+$/;
export const SIGNAL_NAME_PATTERN = /^[A-Za-z0-9_.:/-]+$/;
export const MAX_TAGS = 20;
export const MAX_SIGNALS = 50;
export const OFFLINE_AFTER_DEFAULT = 300;
export const OFFLINE_AFTER_MIN = 30;
export const OFFLINE_AFTER_MAX = 86_400;

export const udidSchema = z
  .string({ error: "UDID is required" })
  .trim()
  .min(1, { error: "UDID is required", abort: true })
  .max(64, "UDID must be at most 64 characters")
  .regex(UDID_PATTERN, "UDID may only contain letters, digits and . _ : -");

/** "lab, eu ,lab" or ["lab","eu"] → ["lab","eu"] (trimmed, de-duplicated, empty entries dropped). */
function splitTags(value: unknown): unknown {
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : typeof value === "string" ? value.split(/[,\n]/) : value;
  if (!Array.isArray(list)) return list;
  const out: unknown[] = [];
  for (const item of list) {
    const tag = typeof item === "string" ? item.trim() : item;
    if (tag === "") continue;
    if (!out.includes(tag)) out.push(tag);
  }
  return out;
}

export const tagsSchema = z.preprocess(
  splitTags,
  z
    .array(
      z
        .string()
        .max(32, "Each tag must be at most 32 characters")
        .regex(TAG_PATTERN, "Tags may only contain letters, digits and _ . : / - (separate tags with commas)"),
    )
    .max(MAX_TAGS, `At most ${MAX_TAGS} tags`),
);

const offlineAfterSchema = z.preprocess(
  (v) => (v === "" || v === null || v === undefined ? OFFLINE_AFTER_DEFAULT : typeof v === "string" ? Number(v.trim()) : v),
  z
    .number({ error: "Offline after must be a whole number of seconds" })
    .int("Offline after must be a whole number of seconds")
    .min(OFFLINE_AFTER_MIN, `Offline after must be at least ${OFFLINE_AFTER_MIN} seconds`)
    .max(OFFLINE_AFTER_MAX, `Offline after must be at most ${OFFLINE_AFTER_MAX} seconds (24 hours)`),
);

const nameSchema = z
  .string()
  .trim()
  .max(100, "Name must be at most 100 characters")
  .optional()
  .transform((v) => v ?? "");

/** The "Add device" form and the JSON create route. An empty name defaults to the UDID. */
export const deviceCreateSchema = z
  .object({
    udid: udidSchema,
    name: nameSchema,
    tags: tagsSchema,
    offlineAfterSeconds: offlineAfterSchema,
  })
  .transform((d) => ({ ...d, name: d.name || d.udid }));
export type DeviceCreateInput = z.infer<typeof deviceCreateSchema>;

/** The edit form (the UDID is the device's identity and cannot change). */
export const deviceUpdateSchema = z.object({
  deviceId: z.coerce.number().int().positive(),
  name: z.string().trim().min(1, "Name is required").max(100, "Name must be at most 100 characters"),
  tags: tagsSchema,
  offlineAfterSeconds: offlineAfterSchema,
});
export type DeviceUpdateInput = z.infer<typeof deviceUpdateSchema>;

export const deviceRefSchema = z.object({ deviceId: z.coerce.number().int().positive() });

const signalsMapSchema = z.record(z.string(), z.json()).superRefine((map, ctx) => {
  const names = Object.keys(map);
  if (names.length > MAX_SIGNALS) ctx.addIssue({ code: "custom", message: `At most ${MAX_SIGNALS} signals per request` });
  for (const name of names) {
    if (name.length < 1 || name.length > 64 || !SIGNAL_NAME_PATTERN.test(name)) {
      ctx.addIssue({
        code: "custom",
        message: `Signal name "${name.slice(0, 70)}" is invalid: use 1–64 letters, digits and _ . : / -`,
      });
      return;
    }
  }
});

/** Largest desired configuration (its JSON text, UTF-8). */
export const MAX_DESIRED_CONFIG_BYTES = 16 * 1024;
/** Most names in one desired configuration. */
export const MAX_DESIRED_CONFIG_KEYS = 200;

function signalNameProblem(name: string): string | null {
  return name.length < 1 || name.length > 64 || !SIGNAL_NAME_PATTERN.test(name)
    ? `Name "${name.slice(0, 70)}" is invalid: use 1–64 letters, digits and _ . : / -`
    : null;
}

const jsonBytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value)).byteLength;

/**
 * A desired configuration: a JSON object of named values (signal name rules), at most 16 KB as JSON. "__proto__"
 * passes the name rule but cannot be an object key in JavaScript (zod would drop it silently): it is refused.
 */
export const desiredConfigSchema = z.preprocess(
  (value, ctx) => {
    if (value !== null && typeof value === "object" && Object.prototype.hasOwnProperty.call(value, "__proto__")) {
      ctx.addIssue({ code: "custom", message: 'Name "__proto__" is reserved' });
    }
    return value;
  },
  z
    .record(z.string(), z.json(), { error: "config must be a JSON object of named values" })
    .superRefine((map, ctx) => {
      const names = Object.keys(map);
      if (names.length > MAX_DESIRED_CONFIG_KEYS) {
        ctx.addIssue({ code: "custom", message: `At most ${MAX_DESIRED_CONFIG_KEYS} names in a configuration` });
        return;
      }
      for (const name of names) {
        const problem = signalNameProblem(name);
        if (problem) {
          ctx.addIssue({ code: "custom", message: problem });
          return;
        }
      }
      if (jsonBytes(map) > MAX_DESIRED_CONFIG_BYTES) {
        ctx.addIssue({ code: "custom", message: `The configuration is larger than ${MAX_DESIRED_CONFIG_BYTES / 1024} KB as JSON` });
      }
    }),
);

/** A target firmware version: "" or null clears it. */
const targetFirmwareSchema = z.preprocess(
  (v) => (typeof v === "string" && v.trim() === "" ? null : v),
  z
    .string({ error: "Target firmware must be a version string" })
    .trim()
    .max(64, "Target firmware must be at most 64 characters")
    .regex(/^[A-Za-z0-9._+:~-]+$/, "Target firmware may only contain letters, digits and . _ + : ~ -")
    .nullable(),
);

/** The device page's "Desired configuration" form: the whole config and target firmware of one device. */
export const desiredWriteSchema = z.object({
  deviceId: z.coerce.number().int().positive(),
  config: desiredConfigSchema,
  firmwareVersion: targetFirmwareSchema.optional().transform((v) => v ?? null),
  /** The version the editor started from: a write on top of a newer one is refused (someone else wrote). */
  baseVersion: z.coerce.number().int().min(0).optional(),
});
export type DesiredWriteInput = z.infer<typeof desiredWriteSchema>;

/** Bulk write to every device with a tag: names to set and to remove, and what to do with the target firmware. */
export const desiredBulkSchema = z
  .object({
    tag: z
      .string({ error: "Choose a tag" })
      .trim()
      .min(1, "Choose a tag")
      .max(32, "Each tag must be at most 32 characters")
      .regex(TAG_PATTERN, "Tags may only contain letters, digits and _ . : / -"),
    set: desiredConfigSchema.optional().transform((v) => v ?? {}),
    remove: z
      .array(z.string())
      .max(MAX_DESIRED_CONFIG_KEYS)
      .optional()
      .transform((v) => v ?? [])
      .superRefine((names, ctx) => {
        for (const name of names) {
          const problem = signalNameProblem(name);
          if (problem) ctx.addIssue({ code: "custom", message: problem });
        }
      }),
    firmware: z.enum(["keep", "set", "clear"]).optional().default("keep"),
    firmwareVersion: targetFirmwareSchema.optional().transform((v) => v ?? null),
  })
  .superRefine((v, ctx) => {
    if (v.firmware === "set" && !v.firmwareVersion) {
      ctx.addIssue({ code: "custom", path: ["firmwareVersion"], message: "Enter the target firmware version" });
    }
    if (Object.keys(v.set).length === 0 && v.remove.length === 0 && v.firmware === "keep") {
      ctx.addIssue({ code: "custom", path: ["set"], message: "Nothing to write: set or remove a name, or change the target firmware" });
    }
  });
export type DesiredBulkInput = z.infer<typeof desiredBulkSchema>;

/** `reported` in a status request: the device's acknowledgement of a desired version. */
export const reportedSchema = z.strictObject({
  version: z
    .number({ error: "reported.version must be a whole number" })
    .int("reported.version must be a whole number")
    .min(1, "reported.version must be at least 1")
    .max(2_147_483_647, "reported.version is too large"),
  status: z.enum(["applied", "failed"], { error: 'reported.status must be "applied" or "failed"' }),
  error: z.string({ error: "reported.error must be a string" }).max(500, "reported.error must be at most 500 characters").optional(),
});

/** Body of POST /api/v1/devices/{udid}/status. Every field is optional; no `status` means a heartbeat. */
export const statusReportSchema = z.strictObject({
  reported: reportedSchema.optional(),
  status: z
    .enum(DEVICE_STATUSES, { error: `status must be one of ${DEVICE_STATUSES.join(", ")}` })
    .optional(),
  firmwareVersion: z
    .string({ error: "firmwareVersion must be a string" })
    .trim()
    .min(1, "firmwareVersion must not be empty")
    .max(64, "firmwareVersion must be at most 64 characters")
    .optional(),
  signals: signalsMapSchema.optional(),
});
export type StatusReport = z.infer<typeof statusReportSchema>;

/** Body of POST /api/v1/devices/{udid}/signals. */
export const signalsReportSchema = z.strictObject({
  signals: signalsMapSchema.refine((m) => Object.keys(m).length > 0, "signals must contain at least one name"),
});

/** Query of the devices list (GET /api/orgs/{slug}/devices). */
export const deviceListQuerySchema = z.object({
  q: z.string().trim().max(100).optional().catch(undefined),
  status: z.enum(DEVICE_DISPLAY_STATUSES).optional().catch(undefined),
  tag: z.string().trim().max(32).optional().catch(undefined),
  /** "pending": a desired config version not yet applied; "failed": its ack failed. */
  config: z.enum(["pending", "failed"]).optional().catch(undefined),
  after: z.string().max(400).optional().catch(undefined),
  limit: z.coerce.number().int().min(1).max(200).optional().catch(undefined),
});
export type DeviceListQuery = z.infer<typeof deviceListQuerySchema>;
