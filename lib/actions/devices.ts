"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { getDb } from "@/db/client";
import { orgAction } from "@/lib/actions/safe-action";
import { createDevice, deleteDevice, regenerateDeviceToken, updateDevice } from "@/lib/devices/admin";
import { kickDelivery } from "@/lib/delivery/kick";
import { bulkWriteDesired, previewBulkDesired, writeDesired } from "@/lib/devices/desired";
import {
  desiredBulkSchema,
  desiredWriteSchema,
  deviceCreateSchema,
  deviceRefSchema,
  deviceUpdateSchema,
} from "@/lib/validation/devices";

export type CreatedDevice = { deviceId: number; udid: string; name: string; token: string };
export type RegeneratedToken = { deviceId: number; udid: string; token: string };

/** "Add device": creates the device and returns its token, which the form shows once. */
export const createDeviceAction = orgAction(deviceCreateSchema, "device.modify", async (ctx, input) => {
  const { device, token, deliveries } = await createDevice(await getDb(), { orgId: ctx.orgId, userId: ctx.userId }, input);
  if (deliveries > 0) kickDelivery();
  revalidatePath(`/orgs/${ctx.orgSlug}/devices`);
  return {
    ok: true,
    message: `Device ${device.name} added.`,
    data: { deviceId: device.id, udid: device.udid, name: device.name, token } satisfies CreatedDevice,
  };
});

/** Edit form: saves name, tags and offline timeout, then returns to the device page. */
export const updateDeviceAction = orgAction(deviceUpdateSchema, "device.modify", async (ctx, input) => {
  const { device, deliveries } = await updateDevice(await getDb(), { orgId: ctx.orgId, userId: ctx.userId }, input);
  if (deliveries > 0) kickDelivery();
  revalidatePath(`/orgs/${ctx.orgSlug}/devices`);
  redirect(`/orgs/${ctx.orgSlug}/devices/${device.id}`);
});

/** Delete (after the confirmation modal): removes the device and returns to the list. */
export const deleteDeviceAction = orgAction(deviceRefSchema, "device.modify", async (ctx, input) => {
  const { deliveries } = await deleteDevice(await getDb(), { orgId: ctx.orgId, userId: ctx.userId }, input.deviceId);
  if (deliveries > 0) kickDelivery();
  revalidatePath(`/orgs/${ctx.orgSlug}/devices`);
  redirect(`/orgs/${ctx.orgSlug}/devices`);
});

/** "Regenerate token": the old token stops working at once; the new one is returned to be shown once. */
export const regenerateTokenAction = orgAction(deviceRefSchema, "device.modify", async (ctx, input) => {
  const { device, token } = await regenerateDeviceToken(await getDb(), { orgId: ctx.orgId, userId: ctx.userId }, input.deviceId);
  revalidatePath(`/orgs/${ctx.orgSlug}/devices/${device.id}`);
  return {
    ok: true,
    message: "A new token was issued. The previous token no longer works.",
    data: { deviceId: device.id, udid: device.udid, token } satisfies RegeneratedToken,
  };
});

/** Device page, "Desired configuration": writes the whole config and target firmware (a new version if changed). */
export const writeDesiredAction = orgAction(desiredWriteSchema, "device.modify", async (ctx, input) => {
  const result = await writeDesired(await getDb(), { orgId: ctx.orgId, userId: ctx.userId }, input);
  if (result.deliveries > 0) kickDelivery();
  revalidatePath(`/orgs/${ctx.orgSlug}/devices/${input.deviceId}`);
  return {
    ok: true,
    message: result.changed ? `Saved as version ${result.version}. The device gets it on its next report.` : "Nothing changed.",
    data: { version: result.version ?? 0, changed: result.changed },
  };
});

/** Rollout page, bulk write: how many of the tag's devices would change (nothing is written). */
export const previewBulkDesiredAction = orgAction(desiredBulkSchema, "device.modify", async (ctx, input) => {
  const preview = await previewBulkDesired(await getDb(), { orgId: ctx.orgId, userId: ctx.userId }, input);
  return { ok: true, data: preview };
});

/** Rollout page, bulk write: every device with the tag, in one transaction. */
export const bulkWriteDesiredAction = orgAction(desiredBulkSchema, "device.modify", async (ctx, input) => {
  const result = await bulkWriteDesired(await getDb(), { orgId: ctx.orgId, userId: ctx.userId }, input);
  if (result.deliveries > 0) kickDelivery();
  revalidatePath(`/orgs/${ctx.orgSlug}/devices`);
  return {
    ok: true,
    message: `Wrote to ${result.changed} of ${result.matched} device${result.matched === 1 ? "" : "s"} tagged ${input.tag}.`,
    data: result,
  };
});
