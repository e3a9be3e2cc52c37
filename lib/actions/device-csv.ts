"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { getDb } from "@/db/client";
import { orgAction, UserError } from "@/lib/actions/safe-action";
import { kickDelivery } from "@/lib/delivery/kick";
import { createDevices } from "@/lib/devices/admin";
import { CSV_IMPORT_MAX_BYTES, previewDeviceCsv, type CsvPreview } from "@/lib/devices/csv";

const csvInput = z.object({
  orgSlug: z.string(),
  csv: z.string({ error: "Choose a CSV file" }).min(1, "The file is empty").max(CSV_IMPORT_MAX_BYTES, "The file is larger than 1 MB"),
});

export type CsvPreviewResult = Omit<CsvPreview, "valid"> & { ready: boolean };
export type CsvImportResult = { created: number; tokens: { udid: string; name: string; token: string }[] };

/** "Import CSV", step 1: every row with its errors, before anything is saved. */
export const previewDeviceCsvAction = orgAction(csvInput, "device.modify", async (ctx, input) => {
  const preview = await previewDeviceCsv(await getDb(), ctx.orgId, input.csv);
  const { valid, ...rest } = preview;
  const data = { ...rest, ready: valid !== null } satisfies CsvPreviewResult;
  // a file that is not a devices CSV at all is refused; one with bad rows is a preview (ok) that is not ready
  if (preview.problems.length) return { ok: false, message: preview.problems.join(" "), data };
  return { ok: true, data };
});

/** "Import CSV", step 2: the same file, checked again, created all or nothing; each token is returned once. */
export const importDeviceCsvAction = orgAction(csvInput, "device.modify", async (ctx, input) => {
  const db = await getDb();
  const preview = await previewDeviceCsv(db, ctx.orgId, input.csv);
  if (!preview.valid) throw new UserError("The file has errors; nothing was imported. Check the preview.");
  const { devices, tokens, deliveries } = await createDevices(db, { orgId: ctx.orgId, userId: ctx.userId }, preview.valid);
  if (deliveries > 0) void kickDelivery();
  revalidatePath(`/orgs/${ctx.orgSlug}/devices`);
  return {
    ok: true,
    message: `Imported ${devices.length} device${devices.length === 1 ? "" : "s"}.`,
    data: { created: devices.length, tokens: devices.map((d, i) => ({ udid: d.udid, name: d.name, token: tokens[i] })) } satisfies CsvImportResult,
  };
});
