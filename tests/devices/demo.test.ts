import { describe, expect, it } from "vitest";
import { devices, deviceTokens, orgs } from "@/db/schema";
import { seedDemoDevices } from "@/lib/demo/devices";
import { markStaleDevicesOffline } from "@/lib/devices/presence";
import { useTestDatabase as openTestDatabase } from "../support/db";

const db = openTestDatabase();

describe("seedDemoDevices", () => {
  it("adds a handful of devices with varied statuses, tags and firmware, each with a token", async () => {
    const [org] = await db().insert(orgs).values({ slug: "demo", name: "Demo" }).returning();
    const now = new Date();
    expect(await seedDemoDevices(db(), org.id, now)).toBe(6);
    const rows = await db().select().from(devices);
    expect(rows).toHaveLength(6);
    expect(new Set(rows.map((r) => r.status))).toEqual(new Set(["online", "offline", "utilizing", "unplugged"]));
    expect(rows.filter((r) => r.firmwareVersion).length).toBeGreaterThanOrEqual(4);
    expect(new Set(rows.flatMap((r) => r.tags)).size).toBeGreaterThan(4);
    expect(await db().select().from(deviceTokens)).toHaveLength(6);
    // presence deadlines are consistent: nothing is due right after seeding
    expect(await markStaleDevicesOffline(now, { db: db() })).toBe(0);
  });
});
