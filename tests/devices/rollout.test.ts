import { eq, sql } from "drizzle-orm";
import { NextRequest } from "next/server";
import { describe, expect, it } from "vitest";
import { devices, orgs } from "@/db/schema";
import { GET as getRollout } from "@/app/api/orgs/[slug]/devices/rollout/route";
import { rolloutState, type DesiredState } from "@/lib/devices/desired-state";
import { rolloutSummary } from "@/lib/devices/desired-queries";
import { actAs } from "../support/session";
import { twoOrgs } from "../support/fixtures";
import { useTestDatabase as openTestDatabase } from "../support/db";
import { makeDevice } from "./helpers";

const db = openTestDatabase();

type Case = [name: string, desired: DesiredState, firmware: string | null, status: "online" | "offline"];

const s = (o: Partial<DesiredState>): DesiredState => ({
  desiredVersion: 2,
  desiredFirmware: null,
  reportedVersion: 0,
  reportedStatus: null,
  reportedError: null,
  ...o,
});

const CASES: Case[] = [
  ["never written", s({ desiredVersion: 0 }), "1.0", "online"],
  ["never written, offline", s({ desiredVersion: 0 }), "1.0", "offline"],
  ["pending", s({}), "1.0", "online"],
  ["pending offline", s({}), "1.0", "offline"],
  ["older applied", s({ reportedVersion: 1, reportedStatus: "applied" }), "1.0", "online"],
  ["applied", s({ reportedVersion: 2, reportedStatus: "applied" }), "1.0", "offline"],
  ["failed", s({ reportedVersion: 2, reportedStatus: "failed", reportedError: "nope" }), "1.0", "offline"],
  ["older failed", s({ reportedVersion: 1, reportedStatus: "failed" }), "1.0", "online"],
  ["firmware behind", s({ reportedVersion: 2, reportedStatus: "applied", desiredFirmware: "2.0" }), "1.0", "online"],
  ["firmware unknown", s({ reportedVersion: 2, reportedStatus: "applied", desiredFirmware: "2.0" }), null, "online"],
  ["firmware reached", s({ reportedVersion: 2, reportedStatus: "applied", desiredFirmware: "2.0" }), "2.0", "online"],
  ["firmware only target", s({ desiredVersion: 0, desiredFirmware: "2.0" }), "2.0", "online"],
];

describe("rollout view", () => {
  it("classifies every device as rolloutState does (the SQL and the pure function agree), laggards failed first", async () => {
    const [o] = await db().insert(orgs).values({ slug: "r", name: "r" }).returning();
    const expected: Record<string, number> = { on_target: 0, pending: 0, failed: 0, offline: 0 };
    for (const [i, [name, d, firmware, status]] of CASES.entries()) {
      const { device } = await makeDevice(db(), o.id, `d-${String(i).padStart(2, "0")}`, { name, tags: i % 2 ? "odd" : "even" });
      await db()
        .update(devices)
        .set({
          status,
          firmwareVersion: firmware,
          desiredVersion: d.desiredVersion,
          desiredFirmware: d.desiredFirmware,
          reportedVersion: d.reportedVersion,
          reportedStatus: d.reportedStatus,
          reportedError: d.reportedError,
        })
        .where(eq(devices.id, device.id));
      expected[rolloutState(d, firmware, status !== "offline")]++;
    }
    const all = await rolloutSummary(db(), o.id, null);
    expect(all.counts).toEqual(expected);
    expect(all.total).toBe(CASES.length);
    for (const l of all.laggards) {
      const [, d, firmware, status] = CASES.find(([n]) => n === l.name)!;
      expect(l.rollout, l.name).toBe(rolloutState(d, firmware, status !== "offline"));
    }
    expect(all.laggards.map((l) => l.rollout)).toEqual([...all.laggards.map((l) => l.rollout)].sort((a, b) => ["failed", "pending", "offline"].indexOf(a) - ["failed", "pending", "offline"].indexOf(b)));
    expect(all.laggards[0]).toMatchObject({ name: "failed", reportedError: "nope" });
    expect(all.laggards.length).toBe(CASES.length - expected.on_target);

    const odd = await rolloutSummary(db(), o.id, "odd");
    expect(odd.total).toBe(CASES.filter((_, i) => i % 2).length);
  });

  it("the JSON route is scoped to the caller's org", async () => {
    const { orgA, orgB, ownerB } = await twoOrgs(db());
    const { device } = await makeDevice(db(), orgA.id, "a-1", { tags: "lab" });
    await db().execute(sql`update devices set desired_version = 1 where id = ${device.id}`);
    await makeDevice(db(), orgB.id, "b-1", { tags: "lab" });
    actAs(ownerB.id);
    const res = await getRollout(new NextRequest(new URL("http://localhost/api/orgs/org-b/devices/rollout?tag=lab")), { params: Promise.resolve({ slug: "org-b" }) });
    const body = (await res.json()) as { total: number; laggards: unknown[] };
    expect(body.total).toBe(1);
    expect(body.laggards).toEqual([]);
    const other = await getRollout(new NextRequest(new URL("http://localhost/api/orgs/org-a/devices/rollout")), { params: Promise.resolve({ slug: "org-a" }) });
    expect(other.status).toBe(404);
  });
});
