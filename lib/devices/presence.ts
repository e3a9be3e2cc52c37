import "server-only";
import { sql, type SQL } from "drizzle-orm";
import { getDb, queryRows, type Db } from "@/db/client";
import type { DeviceStatus } from "@/db/schema/devices";
import { emitEvents } from "@/lib/delivery/emit";
import { statusChangeEvent } from "./state-machine";

type StaleRow = {
  id: number;
  org_id: number;
  udid: string;
  name: string;
  tags: string[];
  previous_status: DeviceStatus;
  last_seen_at: Date | string | null;
};

/** The sweep's statement, exactly as markStaleDevicesOffline runs it (exported so the plan test EXPLAINs it). */
export function staleDevicesQuery(now: Date, limit: number): SQL {
  const nowIso = now.toISOString();
  return sql`with due as (
            select id, status as previous_status
            from devices
            where status <> 'offline' and presence_deadline <= ${nowIso}::timestamptz
            order by presence_deadline
            limit ${limit}
            for update skip locked)
          update devices d set status = 'offline', updated_at = ${nowIso}::timestamptz
          from due
          where d.id = due.id
          returning d.id, d.org_id, d.udid, d.name, d.tags, due.previous_status, d.last_seen_at`;
}

/**
 * Presence sweep: marks devices not heard from within offline_after_seconds as offline, with a
 * device.status.offline event (reason "timeout") each, in one transaction.
 *
 * One UPDATE over a batch picked from the partial index devices_presence_due_idx (status <> 'offline', ordered by
 * presence_deadline). FOR UPDATE SKIP LOCKED makes concurrent sweeps (several workers, or the tick and the cron
 * route) split the due devices instead of waiting on each other, and a device that is reporting right now (its row
 * locked by the status API) is left for the next tick; once a sweep commits, the row is offline and no longer
 * matches, so every device is marked exactly once. Returns how many devices went offline (at most `limit`; call
 * again while it returns `limit`).
 */
export async function markStaleDevicesOffline(
  now: Date = new Date(),
  opts: { limit?: number; db?: Db } = {},
): Promise<number> {
  const db = opts.db ?? (await getDb());
  const limit = opts.limit ?? 500;
  return db.transaction(async (tx) => {
    const rows = await queryRows<StaleRow>(tx, staleDevicesQuery(now, limit));
    const byOrg = new Map<number, StaleRow[]>();
    for (const row of rows) {
      const list = byOrg.get(row.org_id) ?? [];
      list.push(row);
      byOrg.set(row.org_id, list);
    }
    for (const [orgId, list] of byOrg) {
      await emitEvents(
        tx,
        orgId,
        list.map((row) => {
          const change = statusChangeEvent(row.previous_status, "offline", "timeout")!;
          return {
            type: change.type,
            device: { id: row.id, udid: row.udid, name: row.name, tags: row.tags ?? [] },
            data: { ...change.data, lastSeenAt: row.last_seen_at ? new Date(row.last_seen_at).toISOString() : null },
          };
        }),
        now,
      );
    }
    return rows.length;
  });
}
