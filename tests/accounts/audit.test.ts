import { describe, expect, it } from "vitest";
import { listAuditEntries } from "@/lib/audit";
import { recordAudit } from "@/lib/audit";
import { useTestDatabase } from "../support/db";
import { twoOrgs } from "../support/fixtures";

const db = useTestDatabase();

describe("listAuditEntries", () => {
  it("pages the org's entries newest first, with the actor, and never another org's", async () => {
    const t = await twoOrgs(db());
    for (let i = 1; i <= 7; i++) {
      await recordAudit(db(), {
        orgId: t.orgA.id,
        actorUserId: i === 7 ? null : t.ownerA.id,
        action: "test.entry",
        targetType: "org",
        summary: `entry ${i}`,
      });
    }
    await recordAudit(db(), { orgId: t.orgB.id, actorUserId: t.ownerB.id, action: "x", targetType: "org", summary: "B only" });

    const first = await listAuditEntries(db(), t.orgA.id, 1, 3);
    expect(first).toMatchObject({ total: 7, page: 1, pageCount: 3, pageSize: 3 });
    expect(first.entries.map((e) => e.summary)).toEqual(["entry 7", "entry 6", "entry 5"]);
    expect(first.entries[0]).toMatchObject({ system: true, actorName: null });
    expect(first.entries[1]).toMatchObject({ system: false, actorName: "Owner A", actorEmail: t.ownerA.email });

    const last = await listAuditEntries(db(), t.orgA.id, 3, 3);
    expect(last.entries.map((e) => e.summary)).toEqual(["entry 1"]);
    // out-of-range pages clamp instead of showing nothing
    expect((await listAuditEntries(db(), t.orgA.id, 99, 3)).page).toBe(3);
    expect((await listAuditEntries(db(), t.orgA.id, -2, 3)).page).toBe(1);
  });

  it("reports an empty log as one empty page", async () => {
    const t = await twoOrgs(db());
    expect(await listAuditEntries(db(), t.orgA.id)).toMatchObject({ entries: [], total: 0, page: 1, pageCount: 1 });
  });
});
