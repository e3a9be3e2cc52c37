import { desc, eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { auditLog, memberships, orgs } from "@/db/schema";
import { createOrgAction, renameOrgAction } from "@/lib/actions/org";
import { listUserOrgs } from "@/lib/accounts";
import { useTestDatabase } from "../support/db";
import { twoOrgs } from "../support/fixtures";
import { actAs } from "../support/session";

const db = useTestDatabase();
let t: Awaited<ReturnType<typeof twoOrgs>>;

beforeEach(async () => {
  t = await twoOrgs(db());
  actAs(null);
});

async function orgRow(id: number) {
  const [row] = await db().select().from(orgs).where(eq(orgs.id, id));
  return row;
}

describe("renameOrgAction", () => {
  it("renames the org, keeps the slug and records from → to", async () => {
    actAs(t.adminA.id);
    const state = await renameOrgAction(null, { orgSlug: "org-a", name: "  Acme Robotics " });
    expect(state).toMatchObject({ ok: true, message: "Renamed to “Acme Robotics”." });
    expect(await orgRow(t.orgA.id)).toMatchObject({ name: "Acme Robotics", slug: "org-a" });
    const [entry] = await db().select().from(auditLog).where(eq(auditLog.orgId, t.orgA.id)).orderBy(desc(auditLog.id));
    expect(entry).toMatchObject({ action: "org.renamed", actorUserId: t.adminA.id });
    expect(entry.details).toEqual({ from: "org-a", to: "Acme Robotics" });
  });

  it("refuses an over-long name with a field error", async () => {
    actAs(t.ownerA.id);
    const state = await renameOrgAction(null, { orgSlug: "org-a", name: "n".repeat(101) });
    expect(state?.errors?.name).toEqual(["Organization name must be at most 100 characters"]);
    expect((await orgRow(t.orgA.id)).name).toBe("org-a");
  });

  it.each([
    ["signed out", () => null, "Please sign in."],
    ["owner of org B", () => t.ownerB.id, "Organization not found."],
    ["member of org A", () => t.memberA.id, expect.stringMatching(/do not have permission/)],
  ])("is refused for %s", async (_who, user, message) => {
    actAs(user());
    expect(await renameOrgAction(null, { orgSlug: "org-a", name: "Hijacked" })).toMatchObject({ ok: false, message });
    expect((await orgRow(t.orgA.id)).name).toBe("org-a");
    expect(await db().select().from(auditLog)).toHaveLength(0);
  });
});

describe("createOrgAction", () => {
  it("creates another org with the user as owner and opens it", async () => {
    actAs(t.memberA.id);
    const err = await createOrgAction(null, { name: "Side Project" }).catch((e) => e);
    expect(String(err?.digest)).toContain("/orgs/side-project/devices");
    const mine = await listUserOrgs(db(), t.memberA.id);
    expect(mine.map((o) => [o.slug, o.role])).toEqual([
      ["org-a", "member"],
      ["side-project", "owner"],
    ]);
    const [entry] = await db().select().from(auditLog);
    expect(entry).toMatchObject({ action: "org.created", actorUserId: t.memberA.id });
  });

  it("caps the orgs one user owns (MAX_ORGS_PER_USER), also under parallel creation, with a field error", async () => {
    process.env.MAX_ORGS_PER_USER = "3";
    try {
      actAs(t.ownerA.id); // already owns org-a
      const results = await Promise.all(
        ["One", "Two", "Three", "Four", "Five"].map((name) => createOrgAction(null, { name }).catch((e) => e)),
      );
      const created = results.filter((r) => String(r?.digest ?? "").startsWith("NEXT_REDIRECT"));
      expect(created).toHaveLength(2);
      const owned = (await listUserOrgs(db(), t.ownerA.id)).filter((o) => o.role === "owner");
      expect(owned).toHaveLength(3);
      const refused = await createOrgAction(null, { name: "Six" });
      expect(refused).toMatchObject({ ok: false, errors: { name: ["You can own at most 3 organizations"] } });
      expect(refused?.message).toMatch(/already own 3 organizations/);
      // another user is not affected
      actAs(t.memberA.id);
      expect(String((await createOrgAction(null, { name: "Mine" }).catch((e) => e))?.digest)).toContain("NEXT_REDIRECT");
    } finally {
      delete process.env.MAX_ORGS_PER_USER;
    }
  });

  it("needs a session and a name", async () => {
    expect(await createOrgAction(null, { name: "X" })).toMatchObject({ ok: false, message: "Please sign in." });
    actAs(t.ownerA.id);
    expect((await createOrgAction(null, { name: "" }))?.errors?.name).toBeTruthy();
    expect(await db().select().from(memberships).where(eq(memberships.userId, t.ownerA.id))).toHaveLength(1);
  });
});
