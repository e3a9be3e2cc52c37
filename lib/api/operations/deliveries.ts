import "server-only";
import { z } from "zod";
import { kickDelivery } from "@/lib/delivery/kick";
import { getDelivery, listDeliveries } from "@/lib/delivery/log";
import { redeliver, replayFailed } from "@/lib/delivery/redeliver";
import { UserError } from "@/lib/errors";
import { DELIVERY_STATUSES } from "@/lib/validation/deliveries";
import { defineOperation, type ApiContext } from "../operation";
import { idParam, isoDateTime, limitQuery, listOf } from "../schemas";

const tag = "Deliveries";
const params = z.strictObject({ id: idParam.meta({ description: "Delivery id" }) });
const actor = (ctx: ApiContext) => ({ orgId: ctx.orgId, userId: null });
const dateQuery = z.iso.datetime({ offset: true, error: "Use an ISO 8601 date-time, e.g. 2026-12-02T10:00:00Z" });

const deliverySchema = z
  .object({
    id: z.number().int(),
    status: z.enum(DELIVERY_STATUSES),
    attempts: z.number().int().meta({ description: "Attempts in the current retry schedule" }),
    attemptCount: z.number().int().meta({ description: "Every attempt ever made" }),
    nextAttemptAt: isoDateTime.nullable(),
    parked: z.boolean().meta({ description: "Pending, waiting for its webhook to be enabled" }),
    inFlight: z.boolean(),
    lastStatusCode: z.number().int().nullable(),
    lastError: z.string().nullable(),
    createdAt: isoDateTime,
    completedAt: isoDateTime.nullable(),
    lastAttemptAt: isoDateTime.nullable(),
    lastDurationMs: z.number().nullable(),
    eventId: z.string(),
    eventType: z.string(),
    deviceId: z.number().int().nullable().meta({ description: "The device's id; null for test events" }),
    deviceUdid: z.string().nullable(),
    deviceName: z.string().nullable(),
    webhookId: z.number().int(),
    webhookName: z.string(),
    webhookEnabled: z.boolean(),
  })
  .meta({ id: "Delivery" });

const attemptSchema = z
  .object({
    id: z.number().int(),
    attemptedAt: isoDateTime,
    requestMethod: z.string(),
    requestUrl: z.string(),
    requestHeaders: z.record(z.string(), z.string()).meta({ description: "As sent, Authorization masked" }),
    requestBody: z.string(),
    responseStatus: z.number().int().nullable(),
    responseHeaders: z.record(z.string(), z.string()).nullable(),
    responseBody: z.string().nullable().meta({ description: "First 16 KB" }),
    durationMs: z.number().nullable(),
    error: z.string().nullable(),
  })
  .meta({ id: "DeliveryAttempt" });

const detailSchema = deliverySchema
  .extend({ payload: z.record(z.string(), z.unknown()).meta({ description: "The event's data" }), attemptList: z.array(attemptSchema) })
  .meta({ id: "DeliveryDetail" });

async function load(ctx: ApiContext, id: number) {
  const d = await getDelivery(ctx.db, ctx.orgId, id);
  if (!d) throw new UserError("Delivery not found.", undefined, "not_found");
  return d;
}

export const listDeliveriesOp = defineOperation({
  operationId: "listDeliveries",
  method: "get",
  path: "/deliveries",
  tag,
  summary: "List deliveries",
  description: "Newest first. Pass the last id of a page as starting_after for the next (older) page.",
  scope: "read",
  query: z.strictObject({
    limit: limitQuery,
    starting_after: idParam.optional().meta({ description: "A delivery id: the page holds older deliveries" }),
    webhook_id: idParam.optional(),
    status: z.enum(DELIVERY_STATUSES).optional(),
    event_type: z.string().max(64).optional(),
    device: z.string().max(64).optional().meta({ description: "Device UDID" }),
    created_after: dateQuery.optional(),
    created_before: dateQuery.optional(),
  }),
  responses: { 200: { description: "A page of deliveries", schema: listOf(deliverySchema, "DeliveryList", z.number().int()) } },
  handler: async (ctx, { query }) => {
    const page = await listDeliveries(ctx.db, ctx.orgId, {
      limit: query.limit,
      before: query.starting_after,
      webhookId: query.webhook_id,
      status: query.status,
      eventType: query.event_type,
      device: query.device,
      createdAfter: query.created_after ? new Date(query.created_after) : undefined,
      createdBefore: query.created_before ? new Date(query.created_before) : undefined,
    });
    return { status: 200, body: { data: page.items, hasMore: page.nextCursor !== null, nextStartingAfter: page.nextCursor } };
  },
});

export const getDeliveryOp = defineOperation({
  operationId: "getDelivery",
  method: "get",
  path: "/deliveries/{id}",
  tag,
  summary: "Get a delivery",
  description: "With the event's data and every attempt, oldest first.",
  scope: "read",
  params,
  responses: { 200: { description: "The delivery", schema: detailSchema } },
  handler: async (ctx, { params: p }) => ({ status: 200, body: await load(ctx, p.id) }),
});

export const listDeliveryAttemptsOp = defineOperation({
  operationId: "listDeliveryAttempts",
  method: "get",
  path: "/deliveries/{id}/attempts",
  tag,
  summary: "List a delivery's attempts",
  scope: "read",
  params,
  responses: { 200: { description: "Every attempt, oldest first", schema: z.object({ data: z.array(attemptSchema) }).meta({ id: "DeliveryAttemptList" }) } },
  handler: async (ctx, { params: p }) => ({ status: 200, body: { data: (await load(ctx, p.id)).attemptList } }),
});

export const redeliverOp = defineOperation({
  operationId: "redeliver",
  method: "post",
  path: "/deliveries/{id}/redeliver",
  tag,
  summary: "Redeliver",
  description: "Sends the delivery again as soon as possible, with the same webhook-id, on a fresh retry schedule.",
  scope: "write",
  params,
  responses: {
    202: { description: "Queued", schema: z.object({ message: z.string(), webhookEnabled: z.boolean() }).meta({ id: "Redelivered" }) },
  },
  handler: async (ctx, { params: p }) => {
    const res = await redeliver(ctx.db, actor(ctx), p.id);
    if (!res) throw new UserError("Delivery not found.", undefined, "not_found");
    if (res.webhookEnabled) void kickDelivery();
    return { status: 202, body: res };
  },
});

export const replayOp = defineOperation({
  operationId: "replayFailedDeliveries",
  method: "post",
  path: "/deliveries/replay",
  tag,
  summary: "Replay failed deliveries",
  description: "Queues again every failed delivery created at or after `since` (optionally of one webhook).",
  scope: "write",
  body: z
    .strictObject({
      since: dateQuery.refine((v) => Date.parse(v) <= Date.now() + 60_000, "since must be in the past"),
      webhookId: z.number().int().positive().optional(),
    })
    .meta({ id: "Replay" }),
  example: { since: "2026-12-01T00:00:00Z" },
  responses: { 202: { description: "How many were queued", schema: z.object({ replayed: z.number().int() }).meta({ id: "Replayed" }) } },
  handler: async (ctx, { body }) => {
    const replayed = await replayFailed(ctx.db, actor(ctx), { since: new Date(body.since), webhookId: body.webhookId });
    if (replayed > 0) void kickDelivery();
    return { status: 202, body: { replayed } };
  },
});

export const deliveryOperations = [listDeliveriesOp, replayOp, getDeliveryOp, listDeliveryAttemptsOp, redeliverOp];
