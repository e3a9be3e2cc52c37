import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { devices, events, orgs } from "@/db/schema";
import { POST as postStatus } from "@/app/api/v1/devices/[udid]/status/route";
import { resetDeviceRateLimits } from "@/lib/devices/api";
import { bulkWriteDesired, writeDesired } from "@/lib/devices/desired";
import { desiredBulkSchema } from "@/lib/validation/devices";
import { useTestDatabase as openTestDatabase } from "../support/db";
import { callDeviceRoute, makeDevice } from "./helpers";

const db = openTestDatabase();

beforeEach(() => resetDeviceRateLimits());

// Real concurrency needs the Postgres server (PGlite has one connection and runs these one after another, which
// still checks the outcome).
describe("parallel writes and reports", () => {
  it("parallel single writes, overlapping bulk writes and device reports: every write gets its own version, no deadlock, no lost ack", async () => {
    const [o] = await db().insert(orgs).values({ slug: "par", name: "par" }).returning();
    const made = await Promise.all(["p1", "p2", "p3", "p4"].map((u, i) => makeDevice(db(), o.id, u, { tags: i % 2 ? "a, b" : "b, a" })));
    const actor = { orgId: o.id, userId: null };
    const [first] = made;
    const status = (udid: string, token: string, body: unknown) => callDeviceRoute(postStatus, udid, { token, body });
    await Promise.all(made.map((m) => status(m.device.udid, m.token, { status: "online" })));

    const results = await Promise.all([
      ...Array.from({ length: 5 }, (_, i) => writeDesired(db(), actor, { deviceId: first.device.id, config: { n: i }, firmwareVersion: null })),
      bulkWriteDesired(db(), actor, desiredBulkSchema.parse({ tag: "a", set: { bulk: "a" } })),
      bulkWriteDesired(db(), actor, desiredBulkSchema.parse({ tag: "b", set: { bulk: "b" } })),
      ...made.map((m) => status(m.device.udid, m.token, {})),
    ]);
    const replies = results.slice(7) as Awaited<ReturnType<typeof status>>[];
    for (const r of replies) expect(r.status).toBe(200);

    const [row] = await db().select().from(devices).where(eq(devices.id, first.device.id));
    const written = (await db().select().from(events).where(eq(events.deviceId, first.device.id))).filter((e) => e.type === "device.config.written");
    // every write that changed the device got its own version: 1..n with no gaps or repeats
    expect(written.map((e) => (e.payload as { version: number }).version).sort((a, b) => a - b)).toEqual(
      Array.from({ length: row.desiredVersion }, (_, i) => i + 1),
    );
    expect(row.desiredVersion).toBe(7);

    // each device acknowledges what its answer carried, in parallel with another round of writes
    const current = await db().select().from(devices).where(eq(devices.orgId, o.id));
    const acks = await Promise.all([
      ...made.map((m) => status(m.device.udid, m.token, { reported: { version: current.find((d) => d.id === m.device.id)!.desiredVersion, status: "applied" } })),
      bulkWriteDesired(db(), actor, desiredBulkSchema.parse({ tag: "a", set: { round: 2 } })),
    ]);
    for (const a of acks.slice(0, made.length) as Awaited<ReturnType<typeof status>>[]) expect(a.status).toBe(200);
    const after = await db().select().from(devices).where(eq(devices.orgId, o.id));
    for (const d of after) {
      const before = current.find((c) => c.id === d.id)!;
      expect(d.reportedVersion).toBe(before.desiredVersion);
      expect(d.reportedStatus).toBe("applied");
      // tag a got one more version after the ack (or before it: then the ack was of an older, written version)
      expect(d.desiredVersion).toBe(before.desiredVersion + (d.tags.includes("a") ? 1 : 0));
    }
  }, 60_000);
});
