"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { getDb } from "@/db/client";
import { orgAction } from "@/lib/actions/safe-action";
import { createDevice, deleteDevice, regenerateDeviceToken, updateDevice } from "@/lib/devices/admin";
import { kickDelivery } from "@/lib/delivery/kick";
import { deviceCreateSchema, deviceRefSchema, deviceUpdateSchema } from "@/lib/validation/devices";

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
