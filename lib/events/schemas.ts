/**
 * The `data` of each event type as a zod schema: the JSON Schema the API's event-types endpoint publishes (and the
 * OpenAPI document embeds) is generated from these, and a test checks every catalog type has one and that its
 * sample data fits. Loose objects: a field may be added to an event's data without breaking receivers.
 * Isomorphic (no server imports).
 */
import { z } from "zod";
import type { EventType } from "./catalog";

const status = z.enum(["online", "offline", "utilizing", "unplugged"]);
const change = z.looseObject({ previousStatus: status, status, lastSeenAt: z.string().nullable().optional() });
const apiKey = { id: z.number().int(), name: z.string(), scope: z.enum(["read", "write"]), prefix: z.string() };

export const EVENT_DATA_SCHEMAS: Record<EventType, z.ZodType> = {
  "device.status.online": change,
  "device.status.offline": change.extend({ reason: z.enum(["reported", "timeout"]) }),
  "device.state.utilizing": change,
  "device.state.unplugged": change,
  "device.registered": z.looseObject({ status, firmwareVersion: z.string().nullable() }),
  "device.created": z.looseObject({ udid: z.string(), name: z.string(), tags: z.array(z.string()), offlineAfterSeconds: z.number().int() }),
  "device.updated": z.looseObject({
    changes: z.record(z.string(), z.looseObject({ from: z.unknown(), to: z.unknown() })).meta({ description: "Changed field → {from, to}" }),
  }),
  "device.deleted": z.looseObject({ udid: z.string(), name: z.string() }),
  "device.firmware.updated": z.looseObject({ from: z.string().nullable(), to: z.string(), target: z.string().optional() }),
  "device.config.written": z.looseObject({
    version: z.number().int(),
    changes: z.record(z.string(), z.looseObject({ from: z.unknown().optional(), to: z.unknown().optional() })),
    actor: z.looseObject({}).nullable().optional(),
  }),
  "device.config.applied": z.looseObject({ version: z.number().int() }),
  "device.config.failed": z.looseObject({ version: z.number().int(), error: z.string().nullable() }),
  "device.firmware.update_requested": z.looseObject({ version: z.number().int(), from: z.string().nullable(), target: z.string() }),
  "device.telemetry": z.looseObject({ signals: z.record(z.string(), z.unknown()) }),
  "device.authentication.failed": z.looseObject({ reason: z.string(), ip: z.string().nullable() }),
  "api_key.created": z.looseObject({ ...apiKey, expiresAt: z.string().nullable(), createdBy: z.string().nullable() }),
  "api_key.revoked": z.looseObject({ ...apiKey, revokedBy: z.string().nullable() }),
  "api_key.expired": z.looseObject({ ...apiKey, expiresAt: z.string().nullable() }),
  "webhook.test": z.looseObject({ message: z.string() }),
};
