import "server-only";
import { z } from "zod";
import { BULK_CREATE_MAX, createDevice, createDevices, deleteDevice, regenerateDeviceToken, updateDevice } from "@/lib/devices/admin";
import { getDevice, listDevicesById } from "@/lib/devices/queries";
import { kickDelivery } from "@/lib/delivery/kick";
import { UserError } from "@/lib/errors";
import { DEVICE_STATUSES } from "@/lib/validation/devices";
import { defineOperation, type ApiContext } from "../operation";
import { deviceCreateBody, deviceSchema, deviceUpdateBody, idParam, limitQuery, listOf, toDeviceCreateInput } from "../schemas";

const tag = "Devices";
const deviceIdParams = z.strictObject({ id: idParam.meta({ description: "Device id" }) });
const notFound = () => new UserError("Device not found.", undefined, "not_found");
const actor = (ctx: ApiContext) => ({ orgId: ctx.orgId, userId: null });

async function view(ctx: ApiContext, id: number) {
  const device = await getDevice(ctx.db, ctx.orgId, id);
  if (!device) throw notFound();
  return device;
}

export const listDevicesOp = defineOperation({
  operationId: "listDevices",
  method: "get",
  path: "/devices",
  tag,
  summary: "List devices",
  description: "Devices of the key's organization in creation order. Pass the last id of a page as starting_after for the next.",
  scope: "read",
  query: z.strictObject({
    limit: limitQuery,
    starting_after: idParam.optional().meta({ description: "A device id: the page starts after it" }),
    status: z.enum(DEVICE_STATUSES).optional(),
    tag: z.string().max(32).optional().meta({ description: "Devices carrying this tag" }),
    q: z.string().max(100).optional().meta({ description: "Substring of the name or UDID" }),
    udid: z.string().max(64).optional().meta({ description: "Exactly this UDID" }),
  }),
  responses: { 200: { description: "A page of devices", schema: listOf(deviceSchema, "DeviceList", z.number().int()) } },
  handler: async (ctx, { query }) => {
    const page = await listDevicesById(ctx.db, ctx.orgId, {
      limit: query.limit,
      startingAfter: query.starting_after,
      status: query.status,
      tag: query.tag,
      q: query.q,
      udid: query.udid,
    });
    const last = page.devices[page.devices.length - 1];
    return { status: 200, body: { data: page.devices, hasMore: page.hasMore, nextStartingAfter: page.hasMore && last ? last.id : null } };
  },
});

export const createDeviceOp = defineOperation({
  operationId: "createDevice",
  method: "post",
  path: "/devices",
  tag,
  summary: "Create a device",
  description: "Registers a device and returns its device token once (the status API's credential).",
  scope: "write",
  body: deviceCreateBody,
  example: { udid: "ce0917198075440c057e", name: "Galaxy Note 8", tags: ["lab-1"] },
  responses: {
    201: {
      description: "The device and its token (shown once)",
      schema: z.object({ device: deviceSchema, token: z.string().meta({ example: "spd_…" }) }).meta({ id: "CreatedDevice" }),
    },
  },
  handler: async (ctx, { body }) => {
    const { device, token, deliveries } = await createDevice(ctx.db, actor(ctx), toDeviceCreateInput(body));
    if (deliveries > 0) void kickDelivery();
    return { status: 201, body: { device: await view(ctx, device.id), token } };
  },
});

export const bulkCreateDevicesOp = defineOperation({
  operationId: "bulkCreateDevices",
  method: "post",
  path: "/devices/bulk",
  tag,
  summary: "Create many devices",
  description: `Creates up to ${BULK_CREATE_MAX} devices, all or nothing: if any row is invalid or its UDID is taken, nothing is saved and the error names each bad row (fields "devices[i].udid"). Returns each device with its token, once, in request order.`,
  scope: "write",
  maxBodyBytes: 1024 * 1024,
  body: z
    .strictObject({ devices: z.array(deviceCreateBody).min(1, "devices must not be empty").max(BULK_CREATE_MAX, `At most ${BULK_CREATE_MAX} devices per request`) })
    .meta({ id: "DeviceBulkCreate" }),
  example: { devices: [{ udid: "line-7-0001", tags: ["line-7"] }, { udid: "line-7-0002", tags: ["line-7"] }] },
  responses: {
    201: {
      description: "The devices with their tokens (shown once)",
      schema: z.object({ data: z.array(z.object({ device: deviceSchema, token: z.string() })) }).meta({ id: "BulkCreatedDevices" }),
    },
  },
  handler: async (ctx, { body }) => {
    const { devices, tokens, deliveries } = await createDevices(ctx.db, actor(ctx), body.devices.map(toDeviceCreateInput));
    if (deliveries > 0) void kickDelivery();
    const iso = (d: Date | null) => (d ? d.toISOString() : null);
    return {
      status: 201,
      body: {
        data: devices.map((d, i) => ({
          device: {
            id: d.id,
            udid: d.udid,
            name: d.name,
            tags: d.tags,
            status: d.status,
            lastSeenAt: iso(d.lastSeenAt),
            registeredAt: iso(d.registeredAt),
            firmwareVersion: d.firmwareVersion,
            offlineAfterSeconds: d.offlineAfterSeconds,
            createdAt: d.createdAt.toISOString(),
            configState: null,
            lastContactIp: null,
            lastSignals: {},
          },
          token: tokens[i],
        })),
      },
    };
  },
});

export const getDeviceOp = defineOperation({
  operationId: "getDevice",
  method: "get",
  path: "/devices/{id}",
  tag,
  summary: "Get a device",
  scope: "read",
  params: deviceIdParams,
  responses: { 200: { description: "The device", schema: deviceSchema } },
  handler: async (ctx, { params }) => ({ status: 200, body: await view(ctx, params.id) }),
});

export const updateDeviceOp = defineOperation({
  operationId: "updateDevice",
  method: "patch",
  path: "/devices/{id}",
  tag,
  summary: "Update a device",
  description: "Changes the name, tags or offline timeout; fields left out keep their value. The UDID cannot change.",
  scope: "write",
  params: deviceIdParams,
  body: deviceUpdateBody,
  example: { name: "Galaxy Note 8 (lab)", tags: ["lab-2"] },
  responses: { 200: { description: "The updated device", schema: deviceSchema } },
  handler: async (ctx, { params, body }) => {
    const current = await view(ctx, params.id);
    const { deliveries } = await updateDevice(ctx.db, actor(ctx), {
      deviceId: current.id,
      name: body.name ?? current.name,
      tags: body.tags ? [...new Set(body.tags)] : current.tags,
      offlineAfterSeconds: body.offlineAfterSeconds ?? current.offlineAfterSeconds,
    });
    if (deliveries > 0) void kickDelivery();
    return { status: 200, body: await view(ctx, current.id) };
  },
});

export const deleteDeviceOp = defineOperation({
  operationId: "deleteDevice",
  method: "delete",
  path: "/devices/{id}",
  tag,
  summary: "Delete a device",
  description: "Deletes the device with its tokens and signals; its events stay in the log.",
  scope: "write",
  params: deviceIdParams,
  responses: { 204: { description: "Deleted" } },
  handler: async (ctx, { params }) => {
    const { deliveries } = await deleteDevice(ctx.db, actor(ctx), params.id);
    if (deliveries > 0) void kickDelivery();
    return { status: 204 };
  },
});

export const regenerateDeviceTokenOp = defineOperation({
  operationId: "regenerateDeviceToken",
  method: "post",
  path: "/devices/{id}/token",
  tag,
  summary: "Regenerate a device token",
  description: "Revokes the device's token at once and returns a new one (shown once).",
  scope: "write",
  params: deviceIdParams,
  responses: {
    200: {
      description: "The new token",
      schema: z.object({ deviceId: z.number().int(), udid: z.string(), token: z.string() }).meta({ id: "DeviceToken" }),
    },
  },
  handler: async (ctx, { params }) => {
    const { device, token } = await regenerateDeviceToken(ctx.db, actor(ctx), params.id);
    return { status: 200, body: { deviceId: device.id, udid: device.udid, token } };
  },
});

export const deviceOperations = [
  listDevicesOp,
  createDeviceOp,
  bulkCreateDevicesOp,
  getDeviceOp,
  updateDeviceOp,
  deleteDeviceOp,
  regenerateDeviceTokenOp,
];
