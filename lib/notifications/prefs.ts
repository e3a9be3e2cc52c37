import "server-only";
import { and, count, eq, inArray, sql } from "drizzle-orm";
import { queryRows, type Db } from "@/db/client";
import { devices, notificationItems, notificationPrefs, type NotificationMode, type NotificationScope } from "@/db/schema";
import type { Role } from "@/db/schema/accounts";
import { appUrl } from "@/lib/email/config";
import { UserError } from "@/lib/errors";
import type { NotificationPrefsInput } from "@/lib/validation/notifications";
import { unsubscribeToken, type UnsubscribeKind, type UnsubscribeTarget } from "./unsubscribe-token";

/**
 * My notifications, per member per org: read (with the defaults when the member never saved), save, and the
 * one-click unsubscribe. Every function is scoped by the caller's own (org, user): there is no way to name another
 * member's preferences.
 */

export type MyNotifications = {
  events: string[];
  deviceScope: NotificationScope;
  deviceIds: number[];
  deviceTags: string[];
  mode: NotificationMode;
  digestMinutes: number;
  /** Operational alerts on (owners and admins only receive them). */
  alerts: boolean;
  /** Whether the member's role receives operational alerts at all. */
  receivesAlerts: boolean;
};

export const receivesAlerts = (role: Role) => role === "owner" || role === "admin";

export async function getMyNotifications(db: Db, member: { orgId: number; userId: number; role: Role }): Promise<MyNotifications> {
  const [row] = await db
    .select()
    .from(notificationPrefs)
    .where(and(eq(notificationPrefs.orgId, member.orgId), eq(notificationPrefs.userId, member.userId)));
  return {
    events: row?.events ?? [],
    deviceScope: row?.deviceScope ?? "all",
    deviceIds: row?.deviceIds ?? [],
    deviceTags: row?.deviceTags ?? [],
    mode: row?.mode ?? "each",
    digestMinutes: row?.digestMinutes ?? 15,
    alerts: row?.alerts ?? true,
    receivesAlerts: receivesAlerts(member.role),
  };
}

async function assertDevicesInOrg(db: Db, orgId: number, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  const [row] = await db.select({ n: count() }).from(devices).where(and(eq(devices.orgId, orgId), inArray(devices.id, ids)));
  if (Number(row?.n ?? 0) !== ids.length) {
    throw new UserError("Some selected devices do not exist in this organization.", { deviceIds: ["Pick devices of this organization."] });
  }
}

/**
 * Locks the membership (FOR KEY SHARE) for the rest of the transaction, so a removal that races the write waits
 * for it instead of failing the preferences' foreign key; false when the member is already gone.
 */
async function lockMembership(tx: Db, orgId: number, userId: number): Promise<boolean> {
  const rows = await queryRows(
    tx,
    sql`select 1 from memberships where org_id = ${orgId} and user_id = ${userId} for key share`,
  );
  return rows.length > 0;
}

/** Saves the member's own preferences (upsert). Turning device notifications off drops what was waiting. */
export async function saveMyNotifications(db: Db, member: { orgId: number; userId: number }, input: NotificationPrefsInput): Promise<void> {
  await db.transaction(async (tx) => {
    if (!(await lockMembership(tx, member.orgId, member.userId))) {
      throw new UserError("You no longer belong to this organization; nothing was saved.");
    }
    await assertDevicesInOrg(tx, member.orgId, input.deviceIds);
    const values = {
      events: input.events,
      deviceScope: input.deviceScope,
      deviceIds: input.deviceIds,
      deviceTags: input.deviceTags,
      mode: input.mode,
      digestMinutes: input.digestMinutes,
      alerts: input.alerts,
      updatedAt: new Date(),
    };
    await tx
      .insert(notificationPrefs)
      .values({ orgId: member.orgId, userId: member.userId, ...values })
      .onConflictDoUpdate({ target: [notificationPrefs.orgId, notificationPrefs.userId], set: values });
    if (input.events.length === 0) {
      await tx.delete(notificationItems).where(and(eq(notificationItems.orgId, member.orgId), eq(notificationItems.userId, member.userId)));
    }
  });
}

/**
 * Applies a verified unsubscribe token: device notifications off (and what was waiting dropped) or operational
 * alerts off. Idempotent. Returns false when the member no longer belongs to the org (nothing to change).
 */
export async function applyUnsubscribe(db: Db, target: UnsubscribeTarget): Promise<boolean> {
  return db.transaction(async (tx) => {
    if (!(await lockMembership(tx, target.orgId, target.userId))) return false;
    const set = target.kind === "alerts" ? { alerts: false } : { events: [] as string[] };
    await tx
      .insert(notificationPrefs)
      .values({ orgId: target.orgId, userId: target.userId, ...set })
      .onConflictDoUpdate({ target: [notificationPrefs.orgId, notificationPrefs.userId], set: { ...set, updatedAt: new Date() } });
    if (target.kind === "notifications") {
      await tx.delete(notificationItems).where(and(eq(notificationItems.orgId, target.orgId), eq(notificationItems.userId, target.userId)));
    }
    return true;
  });
}

/** The org of a target, for the confirmation page ("… from Acme"). */
export async function unsubscribeOrgName(db: Db, orgId: number): Promise<string | null> {
  const [row] = await queryRows<{ name: string }>(db, sql`select name from orgs where id = ${orgId}`);
  return row?.name ?? null;
}

/** The one-click unsubscribe link and headers (RFC 8058) of an email to a member, and the My notifications link. */
export function unsubscribeLinks(orgSlug: string, orgId: number, userId: number, kind: UnsubscribeKind) {
  const url = `${appUrl()}/unsubscribe/${unsubscribeToken({ orgId, userId, kind })}`;
  return {
    url,
    settingsUrl: `${appUrl()}/orgs/${orgSlug}/settings/notifications`,
    headers: { "List-Unsubscribe": `<${url}>`, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" },
  };
}
