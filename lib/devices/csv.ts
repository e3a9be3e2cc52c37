import "server-only";
import { parse } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";
import { and, eq, inArray } from "drizzle-orm";
import type { Db } from "@/db/client";
import { devices } from "@/db/schema";
import { deviceCreateSchema, type DeviceCreateInput, type DeviceListQuery } from "@/lib/validation/devices";
import { BULK_CREATE_MAX } from "./admin";
import { listDevices } from "./queries";

// CSV import (preview, then the same all-or-nothing bulk path as POST /api/v1/devices/bulk) and export (streamed,
// with the devices page's filters) of the devices page.

export const CSV_IMPORT_MAX_BYTES = 1024 * 1024;
const COLUMNS: Record<string, keyof DeviceCreateInput> = {
  udid: "udid",
  name: "name",
  tags: "tags",
  offlineafterseconds: "offlineAfterSeconds",
  offline_after_seconds: "offlineAfterSeconds",
  "offline after (seconds)": "offlineAfterSeconds",
};

export type CsvPreviewRow = {
  /** 1-based line in the file (the header is line 1). */
  line: number;
  udid: string;
  name: string;
  tags: string[];
  offlineAfterSeconds: number | null;
  errors: string[];
};

export type CsvPreview = {
  rows: CsvPreviewRow[];
  /** Problems with the file itself (not one row's). */
  problems: string[];
  /** The devices to create when nothing is wrong, else null. */
  valid: DeviceCreateInput[] | null;
};

/** Parses and checks a devices CSV (header row: udid, name, tags, offlineAfterSeconds) against the org. */
export async function previewDeviceCsv(db: Db, orgId: number, text: string): Promise<CsvPreview> {
  const problems: string[] = [];
  if (Buffer.byteLength(text, "utf8") > CSV_IMPORT_MAX_BYTES) return { rows: [], problems: ["The file is larger than 1 MB."], valid: null };
  let records: Record<string, string>[];
  try {
    records = parse(text, {
      bom: true,
      columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()),
      skip_empty_lines: true,
      trim: true,
    }) as Record<string, string>[];
  } catch (err) {
    return { rows: [], problems: [`The file is not valid CSV: ${(err as Error).message}`], valid: null };
  }
  if (records.length === 0) return { rows: [], problems: ["The file has no rows (the first line must be a header: udid,name,tags,offlineAfterSeconds)."], valid: null };
  const headers = Object.keys(records[0]);
  const unknown = headers.filter((h) => !(h in COLUMNS));
  if (unknown.length) problems.push(`Unknown column${unknown.length > 1 ? "s" : ""}: ${unknown.join(", ")} (use udid, name, tags, offlineAfterSeconds).`);
  if (!headers.includes("udid")) problems.push("The header has no udid column.");
  if (records.length > BULK_CREATE_MAX) problems.push(`At most ${BULK_CREATE_MAX} devices per import (the file has ${records.length}).`);
  if (problems.length) return { rows: [], problems, valid: null };

  const rows: CsvPreviewRow[] = [];
  const inputs: DeviceCreateInput[] = [];
  const firstLine = new Map<string, number>();
  records.forEach((record, i) => {
    const raw: Record<string, unknown> = {};
    for (const [h, v] of Object.entries(record)) raw[COLUMNS[h]] = h === "tags" ? v.replace(/;/g, ",") : v;
    const parsed = deviceCreateSchema.safeParse(raw);
    const line = i + 2;
    const row: CsvPreviewRow = {
      line,
      udid: String(record.udid ?? ""),
      name: String(record.name ?? ""),
      tags: [],
      offlineAfterSeconds: null,
      errors: [],
    };
    if (parsed.success) {
      Object.assign(row, { udid: parsed.data.udid, name: parsed.data.name, tags: parsed.data.tags, offlineAfterSeconds: parsed.data.offlineAfterSeconds });
      inputs.push(parsed.data);
      const seen = firstLine.get(parsed.data.udid);
      if (seen !== undefined) row.errors.push(`UDID ${parsed.data.udid} is also on line ${seen}.`);
      else firstLine.set(parsed.data.udid, line);
    } else {
      for (const issue of parsed.error.issues) row.errors.push(`${String(issue.path[0] ?? "row")}: ${issue.message}`);
    }
    rows.push(row);
  });
  const udids = [...firstLine.keys()];
  if (udids.length) {
    const existing = await db
      .select({ udid: devices.udid })
      .from(devices)
      .where(and(eq(devices.orgId, orgId), inArray(devices.udid, udids)));
    const taken = new Set(existing.map((e) => e.udid));
    for (const row of rows) if (taken.has(row.udid)) row.errors.push(`A device with UDID ${row.udid} already exists.`);
  }
  const ok = rows.every((r) => r.errors.length === 0);
  return { rows, problems, valid: ok ? inputs : null };
}

/**
 * A value a spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets a leading apostrophe: names and
 * firmware versions come from users and devices, and "=HYPERLINK(…)" must stay text when the export is opened.
 */
export function spreadsheetSafe(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

const EXPORT_COLUMNS = ["id", "udid", "name", "tags", "status", "lastSeenAt", "registeredAt", "firmwareVersion", "offlineAfterSeconds", "createdAt"] as const;

/** The org's devices matching the list filters as CSV, streamed page by page (keyset), so 100,000 devices stream too. */
export function exportDevicesCsv(db: Db, orgId: number, filters: Pick<DeviceListQuery, "q" | "status" | "tag">): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let after: string | undefined;
  let started = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started) {
        started = true;
        controller.enqueue(encoder.encode(stringify([EXPORT_COLUMNS as unknown as string[]])));
      }
      const page = await listDevices(db, orgId, { ...filters, after, limit: 200 });
      if (page.devices.length) {
        controller.enqueue(
          encoder.encode(
            stringify(
              page.devices.map((d) => [d.id, d.udid, spreadsheetSafe(d.name), d.tags.join(";"), d.status, d.lastSeenAt ?? "", d.registeredAt ?? "", spreadsheetSafe(d.firmwareVersion ?? ""), d.offlineAfterSeconds, d.createdAt]),
            ),
          ),
        );
      }
      if (!page.nextCursor) controller.close();
      else after = page.nextCursor;
    },
  });
}
