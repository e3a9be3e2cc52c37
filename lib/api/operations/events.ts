import "server-only";
import { z } from "zod";
import { getEvent, listEvents } from "@/lib/delivery/event-log";
import { UserError } from "@/lib/errors";
import { EVENT_CATALOG, catalogEntry } from "@/lib/events/catalog";
import { EVENT_DATA_SCHEMAS } from "@/lib/events/schemas";
import { defineOperation } from "../operation";
import { idParam, isoDateTime, limitQuery, listOf } from "../schemas";

const EVENT_ID = /^evt_[0-9A-HJKMNP-TV-Z]{26}$/;
const eventId = z.string().regex(EVENT_ID, "Not an event id").meta({ example: "evt_01JD7Z8X9Y0ABCDEFGHJKMNPQR" });
const dateQuery = z.iso.datetime({ offset: true, error: "Use an ISO 8601 date-time, e.g. 2026-12-02T10:00:00Z" });

const eventSchema = z
  .object({
    id: z.string(),
    type: z.string(),
    deviceId: z.number().int().nullable(),
    deviceUdid: z.string().nullable(),
    deviceName: z.string().nullable(),
    data: z.record(z.string(), z.unknown()),
    createdAt: isoDateTime,
    deliveryCount: z.number().int(),
  })
  .meta({ id: "Event" });

const eventDeliverySchema = z
  .object({
    id: z.number().int(),
    webhookId: z.number().int(),
    webhookName: z.string(),
    status: z.enum(["pending", "succeeded", "failed"]),
    attempts: z.number().int(),
    lastStatusCode: z.number().int().nullable(),
    lastError: z.string().nullable(),
    createdAt: isoDateTime,
    completedAt: isoDateTime.nullable(),
  })
  .meta({ id: "EventDelivery" });

export const listEventsOp = defineOperation({
  operationId: "listEvents",
  method: "get",
  path: "/events",
  tag: "Events",
  summary: "List events",
  description: "Every event of the organization, whether or not a webhook subscribed, newest first.",
  scope: "read",
  query: z.strictObject({
    limit: limitQuery,
    starting_after: eventId.optional().meta({ description: "An event id: the page holds older events" }),
    type: z.string().max(64).optional(),
    device: z.string().max(64).optional().meta({ description: "Device UDID" }),
    device_id: idParam.optional(),
    created_after: dateQuery.optional(),
    created_before: dateQuery.optional(),
  }),
  responses: { 200: { description: "A page of events", schema: listOf(eventSchema, "EventList", z.string()) } },
  handler: async (ctx, { query }) => {
    const page = await listEvents(ctx.db, ctx.orgId, {
      limit: query.limit,
      startingAfter: query.starting_after,
      type: query.type,
      deviceUdid: query.device,
      deviceId: query.device_id,
      createdAfter: query.created_after ? new Date(query.created_after) : undefined,
      createdBefore: query.created_before ? new Date(query.created_before) : undefined,
    });
    const last = page.events[page.events.length - 1];
    return { status: 200, body: { data: page.events, hasMore: page.hasMore, nextStartingAfter: page.hasMore && last ? last.id : null } };
  },
});

export const getEventOp = defineOperation({
  operationId: "getEvent",
  method: "get",
  path: "/events/{id}",
  tag: "Events",
  summary: "Get an event",
  description: "With its deliveries (one per subscribed webhook).",
  scope: "read",
  params: z.strictObject({ id: eventId }),
  responses: {
    200: { description: "The event", schema: eventSchema.extend({ deliveries: z.array(eventDeliverySchema) }).meta({ id: "EventDetail" }) },
  },
  handler: async (ctx, { params }) => {
    const event = await getEvent(ctx.db, ctx.orgId, params.id);
    if (!event) throw new UserError("Event not found.", undefined, "not_found");
    return { status: 200, body: event };
  },
});

const eventTypeSchema = z
  .object({
    type: z.string(),
    description: z.string(),
    group: z.enum(["DEVICE", "WEBHOOK", "API_KEY"]),
    subscribable: z.boolean(),
    schema: z.record(z.string(), z.unknown()).meta({ description: "JSON Schema (draft 2020-12) of the event's data" }),
    example: z.record(z.string(), z.unknown()).meta({ description: "An example of the event's data" }),
  })
  .meta({ id: "EventType" });

function eventTypeView(type: string) {
  const entry = catalogEntry(type)!;
  const schema = z.toJSONSchema(EVENT_DATA_SCHEMAS[entry.type as keyof typeof EVENT_DATA_SCHEMAS], { target: "draft-2020-12" }) as Record<string, unknown>;
  return { type: entry.type, description: entry.description, group: entry.group, subscribable: entry.subscribable, schema, example: entry.sampleData };
}

export const listEventTypesOp = defineOperation({
  operationId: "listEventTypes",
  method: "get",
  path: "/event-types",
  tag: "Event types",
  summary: "List event types",
  description: "The event catalog, each type with a JSON Schema of its data and an example.",
  scope: "read",
  responses: { 200: { description: "The catalog", schema: z.object({ data: z.array(eventTypeSchema) }).meta({ id: "EventTypeList" }) } },
  handler: async () => ({ status: 200, body: { data: EVENT_CATALOG.map((e) => eventTypeView(e.type)) } }),
});

export const getEventTypeOp = defineOperation({
  operationId: "getEventType",
  method: "get",
  path: "/event-types/{type}",
  tag: "Event types",
  summary: "Get an event type",
  scope: "read",
  params: z.strictObject({ type: z.string().max(64).refine((t) => catalogEntry(t) !== undefined, "Unknown event type").meta({ example: "device.status.offline" }) }),
  responses: { 200: { description: "The event type", schema: eventTypeSchema } },
  handler: async (_ctx, { params }) => ({ status: 200, body: eventTypeView(params.type) }),
});

export const eventOperations = [listEventsOp, getEventOp, listEventTypesOp, getEventTypeOp];
