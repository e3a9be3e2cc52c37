import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { openDatabase, queryRows } from "@/db/client";
import { devices, events, orgs } from "@/db/schema";
import { markStaleDevicesOffline, staleDevicesQuery } from "@/lib/devices/presence";
import { useTestDatabase as openTestDatabase } from "../support/db";

const db = openTestDatabase();
const T0 = new Date("2026-11-23T10:00:00.000Z");
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

async function seed(list: Array<{ udid: string; status: "online" | "offline" | "utilizing" | "unplugged"; lastSeen: number | null; after?: number }>) {
  const [org] = await db().insert(orgs).values({ slug: "acme", name: "Acme" }).returning();
  const rows = await db()
    .insert(devices)
    .values(
      list.map((d) => {
        const after = d.after ?? 300;
        const lastSeenAt = d.lastSeen === null ? null : at(d.lastSeen);
        return {
          orgId: org.id,
          udid: d.udid,
          name: d.udid,
          status: d.status,
          offlineAfterSeconds: after,
          lastSeenAt,
          registeredAt: lastSeenAt,
          presenceDeadline: lastSeenAt ? new Date(lastSeenAt.getTime() + after * 1000) : null,
        };
      }),
    )
    .returning();
  return { org, rows };
}

const statusOf = async (udid: string) => (await db().select().from(devices).where(eq(devices.udid, udid)))[0].status;

describe("markStaleDevicesOffline", () => {
  it("marks devices past their deadline offline with reason timeout, and only those", async () => {
    await seed([
      { udid: "due-online", status: "online", lastSeen: 0 },
      { udid: "due-utilizing", status: "utilizing", lastSeen: 0, after: 60 },
      { udid: "due-unplugged", status: "unplugged", lastSeen: 0 },
      { udid: "fresh", status: "online", lastSeen: 200 },
      { udid: "already-offline", status: "offline", lastSeen: -1000 },
      { udid: "never-seen", status: "online", lastSeen: null },
    ]);
    expect(await markStaleDevicesOffline(at(299), { db: db() })).toBe(1); // only the 60 s one
    expect(await statusOf("due-utilizing")).toBe("offline");
    expect(await markStaleDevicesOffline(at(300), { db: db() })).toBe(2); // deadline is inclusive
    expect(await statusOf("due-online")).toBe("offline");
    expect(await statusOf("due-unplugged")).toBe("offline");
    expect(await statusOf("fresh")).toBe("online");
    expect(await statusOf("never-seen")).toBe("online");
    expect(await markStaleDevicesOffline(at(300), { db: db() })).toBe(0);

    const rows = await db().select().from(events).orderBy(events.id);
    expect(rows.every((e) => e.type === "device.status.offline")).toBe(true);
    expect(rows[0].deviceUdid).toBe("due-utilizing");
    expect(rows.map((e) => e.deviceUdid).sort()).toEqual(["due-online", "due-unplugged", "due-utilizing"]);
    const byUdid = Object.fromEntries(rows.map((e) => [e.deviceUdid, e]));
    expect(byUdid["due-utilizing"].payload).toEqual({
      previousStatus: "utilizing",
      status: "offline",
      reason: "timeout",
      lastSeenAt: T0.toISOString(),
    });
    expect(byUdid["due-unplugged"].payload).toMatchObject({ previousStatus: "unplugged", reason: "timeout" });
    expect(byUdid["due-online"].createdAt.toISOString()).toBe(at(300).toISOString());
  });

  it("works in batches of `limit`, oldest deadline first", async () => {
    await seed(Array.from({ length: 5 }, (_, i) => ({ udid: `d${i}`, status: "online" as const, lastSeen: -i * 10 })));
    expect(await markStaleDevicesOffline(at(1000), { db: db(), limit: 2 })).toBe(2);
    expect(await statusOf("d4")).toBe("offline");
    expect(await statusOf("d3")).toBe("offline");
    expect(await statusOf("d0")).toBe("online");
    expect(await markStaleDevicesOffline(at(1000), { db: db(), limit: 2 })).toBe(2);
    expect(await markStaleDevicesOffline(at(1000), { db: db(), limit: 2 })).toBe(1);
    expect(await markStaleDevicesOffline(at(1000), { db: db(), limit: 2 })).toBe(0);
  });

  it("uses the partial index devices_presence_due_idx", async () => {
    await seed([{ udid: "x", status: "online", lastSeen: 0 }]);
    await db().execute(sql`set enable_seqscan = off`);
    try {
      // the sweep's own statement (staleDevicesQuery is what markStaleDevicesOffline runs), not a copy of it
      const plan = await queryRows<Record<string, string>>(db(), sql`explain ${staleDevicesQuery(at(1000), 500)}`);
      expect(plan.map((r) => Object.values(r)[0]).join("\n")).toContain("devices_presence_due_idx");
    } finally {
      await db().execute(sql`set enable_seqscan = on`);
    }
  });

  // PGlite has one connection, so real concurrency needs the Postgres server.
  it.skipIf(!process.env.DATABASE_URL)("concurrent sweeps on Postgres mark each device exactly once", async () => {
    const n = 400;
    await seed(Array.from({ length: n }, (_, i) => ({ udid: `c${i}`, status: "online" as const, lastSeen: -(i % 50) })));
    const [{ current_database: name }] = await queryRows<{ current_database: string }>(db(), sql`select current_database()`);
    const url = new URL(process.env.DATABASE_URL!);
    url.pathname = `/${name}`;
    const handles = await Promise.all(Array.from({ length: 4 }, () => openDatabase(url.toString())));
    try {
      const sweep = async (h: (typeof handles)[number]) => {
        let total = 0;
        for (;;) {
          const c = await markStaleDevicesOffline(at(1000), { db: h.db, limit: 25 });
          total += c;
          if (c === 0) return total;
        }
      };
      const counts = await Promise.all(handles.flatMap((h) => [sweep(h), sweep(h)]));
      expect(counts.reduce((a, b) => a + b, 0)).toBe(n);
      expect(counts.filter((c) => c > 0).length).toBeGreaterThan(1);
    } finally {
      await Promise.all(handles.map((h) => h.close()));
    }
    const [{ n: offline }] = await queryRows<{ n: number }>(db(), sql`select count(*)::int as n from devices where status = 'offline'`);
    expect(offline).toBe(n);
    const perDevice = await queryRows<{ device_id: number; n: number }>(
      db(),
      sql`select device_id, count(*)::int as n from events where type = 'device.status.offline' group by device_id having count(*) <> 1`,
    );
    expect(perDevice).toEqual([]);
    const [{ n: evCount }] = await queryRows<{ n: number }>(db(), sql`select count(*)::int as n from events`);
    expect(evCount).toBe(n);
  });
});
