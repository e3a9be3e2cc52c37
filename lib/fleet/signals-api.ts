import "server-only";
import { stringify } from "csv-stringify/sync";
import { NextResponse } from "next/server";
import { getDb } from "@/db/client";
import type { MemberContext } from "@/lib/auth/guard";
import { getDevice } from "@/lib/devices/queries";
import { jsonError, validationError } from "@/lib/http/json";
import { signalQuerySchema, signalWindow } from "@/lib/validation/signals";
import { latestSignals, numericSignalSeries, signalIsNumeric, signalRowsBatch, textSignalSeries } from "./signals";

const noStore = { "cache-control": "no-store" };

function parseId(raw: string): number | null {
  const id = Number(raw);
  return Number.isInteger(id) && id > 0 && id <= 2_147_483_647 ? id : null;
}

async function findDevice(ctx: MemberContext, rawId: string) {
  const id = parseId(rawId);
  return id ? getDevice(await getDb(), ctx.orgId, id) : null;
}

/**
 * GET …/devices/{id}/signals: without `name`, the last-known value of every signal; with `name`, that signal over
 * the range (range=1h|24h|7d, or custom with from/to) — numeric ones downsampled to at most `points` buckets with
 * min/max/last, others as a timeline of changes.
 */
export async function signalsResponse(req: Request, ctx: MemberContext, rawId: string): Promise<Response> {
  const parsed = signalQuerySchema.safeParse(Object.fromEntries(new URL(req.url).searchParams));
  if (!parsed.success) return validationError(parsed.error);
  const device = await findDevice(ctx, rawId);
  if (!device) return jsonError(404, "not_found", "Device not found.");
  const db = await getDb();
  const q = parsed.data;
  if (!q.name) return NextResponse.json({ signals: (await latestSignals(db, ctx.orgId, device.id)) ?? [] }, { headers: noStore });
  const { from, to } = signalWindow(q);
  const numeric = await signalIsNumeric(db, ctx.orgId, device.id, q.name);
  const series =
    numeric === false
      ? await textSignalSeries(db, ctx.orgId, device.id, q.name, from, to, q.points)
      : await numericSignalSeries(db, ctx.orgId, device.id, q.name, from, to, q.points);
  return NextResponse.json(series, { headers: noStore });
}

const EXPORT_BATCH = 2_000;

/** A CSV cell of a signal value: JSON for non-strings; a string a spreadsheet would run as a formula gets a leading '. */
function csvValue(value: unknown): string {
  if (typeof value !== "string") return JSON.stringify(value);
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/**
 * GET …/devices/{id}/signals/export: the range's raw rows as CSV (received_at, name, value), all signals or one
 * (`name`), streamed in keyset batches so a large range never sits in memory.
 */
export async function signalsExportResponse(req: Request, ctx: MemberContext, rawId: string): Promise<Response> {
  const parsed = signalQuerySchema.safeParse(Object.fromEntries(new URL(req.url).searchParams));
  if (!parsed.success) return validationError(parsed.error);
  const device = await findDevice(ctx, rawId);
  if (!device) return jsonError(404, "not_found", "Device not found.");
  const db = await getDb();
  const q = parsed.data;
  const { from, to } = signalWindow(q);
  const orgId = ctx.orgId;
  const columns = ["received_at", "name", "value"];
  let after: { at: string; id: number } | null = null;
  let first = true;
  const encoder = new TextEncoder();
  // one keyset batch per pull: the response streams while the client reads, never the whole range in memory
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const rows = await signalRowsBatch(db, orgId, device.id, q.name, from, to, after, EXPORT_BATCH);
        const records = rows.map((r) => [
          new Date(r.received_at).toISOString(),
          r.name,
          csvValue(r.value),
        ]);
        const chunk = stringify(records, { header: first, columns });
        first = false;
        if (chunk) controller.enqueue(encoder.encode(chunk));
        if (rows.length < EXPORT_BATCH) controller.close();
        else {
          const last = rows[rows.length - 1];
          after = { at: last.at_text, id: Number(last.id) };
        }
      } catch (err) {
        controller.error(err);
      }
    },
  });
  const file = `${device.udid}-${q.name ?? "signals"}-${from.toISOString().slice(0, 10)}.csv`.replace(/[^A-Za-z0-9._-]/g, "_");
  return new Response(stream, {
    headers: { "content-type": "text/csv; charset=utf-8", "content-disposition": `attachment; filename="${file}"`, ...noStore },
  });
}
