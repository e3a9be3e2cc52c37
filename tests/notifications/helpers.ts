import type { ParsedMail } from "mailparser";
import type { Db } from "@/db/client";
import { devices } from "@/db/schema";
import { emitEvents, type EventInput } from "@/lib/delivery/emit";

export type DeviceRow = typeof devices.$inferSelect;

export async function insertDevices(db: Db, orgId: number, n: number, tags: string[] = [], prefix = "dev"): Promise<DeviceRow[]> {
  return db
    .insert(devices)
    .values(Array.from({ length: n }, (_, i) => ({ orgId, udid: `${prefix}-${String(i).padStart(4, "0")}`, name: `${prefix} ${i}`, tags })))
    .returning();
}

/** One event of `type` per device, in one transaction (as a status report or the presence sweep would). */
export async function emitFor(db: Db, orgId: number, list: DeviceRow[], now = new Date(), type: EventInput["type"] = "device.status.offline") {
  return db.transaction((tx) =>
    emitEvents(
      tx,
      orgId,
      list.map((d) => ({ type, device: { id: d.id, udid: d.udid, name: d.name, tags: d.tags }, data: { previousStatus: "online", status: "offline", reason: "timeout" } })),
      now,
    ),
  );
}

export const toOf = (m: ParsedMail) => (Array.isArray(m.to) ? m.to : [m.to]).flatMap((a) => a!.value.map((v) => v.address));
/** A header's raw value as it arrived (unfolded), from the message's header lines (mailparser merges List-* headers). */
export const header = (m: ParsedMail, name: string): string | undefined => {
  const line = m.headerLines.find((h) => h.key === name.toLowerCase())?.line;
  return line?.replace(/\r?\n[ \t]+/g, " ").slice(name.length + 1).trim();
};
/** The URL inside a List-Unsubscribe header value ("<https://…>"). */
export const unsubscribeUrlOf = (m: ParsedMail) => /<([^>]+)>/.exec(header(m, "List-Unsubscribe") ?? "")?.[1];

/**
 * Saves My notifications as `userId` through the real server action (the form always sends its two radios, so a
 * test names only what it changes). Returns the action's state.
 */
export async function savePrefs(userId: number, orgSlug: string, prefs: Record<string, unknown>) {
  const { saveMyNotificationsAction } = await import("@/lib/actions/notifications");
  const { actAs } = await import("../support/session");
  actAs(userId);
  const fd = new FormData();
  fd.set("orgSlug", orgSlug);
  fd.set("__json", JSON.stringify({ deviceScope: "all", mode: "each", ...prefs }));
  try {
    return (await saveMyNotificationsAction(null, fd))!;
  } finally {
    actAs(null);
  }
}
