import { and, desc, eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { auditLog, memberships } from "@/db/schema";
import { addMemberAction, changeRoleAction, removeMemberAction } from "@/lib/actions/members";
import { listMembers } from "@/lib/accounts";
import { useTestDatabase } from "../support/db";
import { addMembership, insertUser, twoOrgs } from "../support/fixtures";
import { actAs } from "../support/session";

const db = useTestDatabase();
let t: Awaited<ReturnType<typeof twoOrgs>>;

beforeEach(async () => {
  t = await twoOrgs(db());
  actAs(null);
});

async function roleOf(orgId: number, userId: number) {
  const [row] = await db()
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId)));
  return row?.role ?? null;
}

async function lastAudit(orgId: number) {
  const [row] = await db().select().from(auditLog).where(eq(auditLog.orgId, orgId)).orderBy(desc(auditLog.id)).limit(1);
  return row;
}

async function auditCount() {
  return (await db().select().from(auditLog)).length;
}

describe("listMembers", () => {
  it("lists the org's members with roles, owners first, and nobody from other orgs", async () => {
    const rows = await listMembers(db(), t.orgA.id);
    expect(rows.map((r) => [r.name, r.role])).toEqual([
      ["Owner A", "owner"],
      ["Admin A", "admin"],
      ["Member A", "member"],
    ]);
    expect(rows[0].joinedAt).toBeInstanceOf(Date);
  });
});

describe("addMemberAction", () => {
  it("lets an admin add an existing user by email (any case) with a role, and records it", async () => {
    const carol = await insertUser(db(), "carol@example.com", "Carol");
    actAs(t.adminA.id);
    const state = await addMemberAction(null, { orgSlug: "org-a", email: " Carol@Example.COM ", role: "admin" });
    expect(state).toMatchObject({ ok: true, message: "Added Carol (carol@example.com) as Admin." });
    expect(await roleOf(t.orgA.id, carol.id)).toBe("admin");
    expect(await lastAudit(t.orgA.id)).toMatchObject({
      action: "member.added",
      actorUserId: t.adminA.id,
      targetType: "user",
      targetId: String(carol.id),
      summary: "Added Carol (carol@example.com) as Admin",
    });
  });

  it("explains that an unknown email needs to sign up first", async () => {
    actAs(t.ownerA.id);
    const state = await addMemberAction(null, { orgSlug: "org-a", email: "nobody@example.com", role: "member" });
    expect(state?.ok).toBe(false);
    expect(state?.errors?.email?.[0]).toMatch(/No account uses this email.*sign up first/);
  });

  it("refuses to add someone twice", async () => {
    actAs(t.ownerA.id);
    const state = await addMemberAction(null, { orgSlug: "org-a", email: t.memberA.email, role: "admin" });
    expect(state?.errors?.email?.[0]).toMatch(/already a member/);
    expect(await roleOf(t.orgA.id, t.memberA.id)).toBe("member");
  });

  it("lets only an owner add an owner", async () => {
    const carol = await insertUser(db(), "carol@example.com", "Carol");
    actAs(t.adminA.id);
    const refused = await addMemberAction(null, { orgSlug: "org-a", email: carol.email, role: "owner" });
    expect(refused).toMatchObject({ ok: false, message: "Only an owner can grant or take away the owner role." });
    expect(await roleOf(t.orgA.id, carol.id)).toBeNull();
    actAs(t.ownerA.id);
    expect((await addMemberAction(null, { orgSlug: "org-a", email: carol.email, role: "owner" }))?.ok).toBe(true);
    expect(await roleOf(t.orgA.id, carol.id)).toBe("owner");
  });

  it("shows field errors for a bad email or role", async () => {
    actAs(t.ownerA.id);
    const state = await addMemberAction(null, { orgSlug: "org-a", email: "nope", role: "king" });
    expect(state?.errors?.email).toBeTruthy();
    expect(state?.errors?.role).toEqual(["Choose a role: owner, admin or member"]);
  });
});

describe("changeRoleAction", () => {
  it("lets an admin promote a member to admin, and records from → to", async () => {
    actAs(t.adminA.id);
    const state = await changeRoleAction(null, { orgSlug: "org-a", userId: t.memberA.id, role: "admin" });
    expect(state).toMatchObject({ ok: true, message: "Member A is now Admin." });
    expect(await roleOf(t.orgA.id, t.memberA.id)).toBe("admin");
    const entry = await lastAudit(t.orgA.id);
    expect(entry).toMatchObject({ action: "member.role_changed", actorUserId: t.adminA.id });
    expect(entry.details).toMatchObject({ from: "member", to: "admin" });
  });

  it("does nothing (and records nothing) when the role is unchanged", async () => {
    actAs(t.ownerA.id);
    const before = await auditCount();
    const state = await changeRoleAction(null, { orgSlug: "org-a", userId: t.adminA.id, role: "admin" });
    expect(state?.ok).toBe(true);
    expect(await auditCount()).toBe(before);
  });

  it("lets only an owner grant the owner role or change an owner", async () => {
    actAs(t.adminA.id);
    expect(await changeRoleAction(null, { orgSlug: "org-a", userId: t.memberA.id, role: "owner" })).toMatchObject({
      ok: false,
      message: "Only an owner can grant or take away the owner role.",
    });
    expect(await changeRoleAction(null, { orgSlug: "org-a", userId: t.ownerA.id, role: "member" })).toMatchObject({
      ok: false,
      message: "Only an owner can grant or take away the owner role.",
    });
    expect(await roleOf(t.orgA.id, t.memberA.id)).toBe("member");
    expect(await roleOf(t.orgA.id, t.ownerA.id)).toBe("owner");
    actAs(t.ownerA.id);
    expect((await changeRoleAction(null, { orgSlug: "org-a", userId: t.memberA.id, role: "owner" }))?.ok).toBe(true);
    expect(await roleOf(t.orgA.id, t.memberA.id)).toBe("owner");
  });

  it("never demotes the last owner, and says what to do instead", async () => {
    actAs(t.ownerA.id);
    const state = await changeRoleAction(null, { orgSlug: "org-a", userId: t.ownerA.id, role: "admin" });
    expect(state?.ok).toBe(false);
    expect(state?.message).toMatch(/at least one owner.*Make another member an owner first/);
    expect(await roleOf(t.orgA.id, t.ownerA.id)).toBe("owner");
  });

  it("lets an owner step down once there is a second owner", async () => {
    actAs(t.ownerA.id);
    await changeRoleAction(null, { orgSlug: "org-a", userId: t.adminA.id, role: "owner" });
    expect((await changeRoleAction(null, { orgSlug: "org-a", userId: t.ownerA.id, role: "admin" }))?.ok).toBe(true);
    expect(await roleOf(t.orgA.id, t.ownerA.id)).toBe("admin");
    // and now the other one is the last owner
    actAs(t.adminA.id);
    const state = await changeRoleAction(null, { orgSlug: "org-a", userId: t.adminA.id, role: "member" });
    expect(state?.message).toMatch(/at least one owner/);
  });

  it("keeps one owner when two owners demote each other at the same time", async () => {
    await addMembership(db(), t.orgA.id, (await insertUser(db(), "o2@example.com", "Owner Two")).id, "owner");
    const [o2] = (await listMembers(db(), t.orgA.id)).filter((m) => m.email === "o2@example.com");
    actAs(t.ownerA.id);
    await Promise.all([
      changeRoleAction(null, { orgSlug: "org-a", userId: t.ownerA.id, role: "admin" }),
      changeRoleAction(null, { orgSlug: "org-a", userId: o2.userId, role: "admin" }),
    ]);
    const owners = (await listMembers(db(), t.orgA.id)).filter((m) => m.role === "owner");
    expect(owners).toHaveLength(1);
  });

  it("does not find a user who is in another org only", async () => {
    actAs(t.ownerA.id);
    const state = await changeRoleAction(null, { orgSlug: "org-a", userId: t.ownerB.id, role: "member" });
    expect(state).toMatchObject({ ok: false, message: expect.stringMatching(/not a member of this organization/) });
    expect(await roleOf(t.orgB.id, t.ownerB.id)).toBe("owner");
  });
});

describe("removeMemberAction", () => {
  it("removes a member (their account stays) and records it", async () => {
    actAs(t.adminA.id);
    const state = await removeMemberAction(null, { orgSlug: "org-a", userId: String(t.memberA.id) });
    expect(state).toMatchObject({ ok: true });
    expect(await roleOf(t.orgA.id, t.memberA.id)).toBeNull();
    expect(await lastAudit(t.orgA.id)).toMatchObject({ action: "member.removed", targetId: String(t.memberA.id) });
  });

  it("never removes the last owner", async () => {
    actAs(t.ownerA.id);
    const state = await removeMemberAction(null, { orgSlug: "org-a", userId: t.ownerA.id });
    expect(state?.message).toMatch(/at least one owner/);
    expect(await roleOf(t.orgA.id, t.ownerA.id)).toBe("owner");
  });

  it("lets only an owner remove an owner", async () => {
    await addMembership(db(), t.orgA.id, (await insertUser(db(), "o2@example.com", "Owner Two")).id, "owner");
    const [o2] = (await listMembers(db(), t.orgA.id)).filter((m) => m.email === "o2@example.com");
    actAs(t.adminA.id);
    expect((await removeMemberAction(null, { orgSlug: "org-a", userId: o2.userId }))?.message).toBe(
      "Only an owner can grant or take away the owner role.",
    );
    actAs(t.ownerA.id);
    expect((await removeMemberAction(null, { orgSlug: "org-a", userId: o2.userId }))?.ok).toBe(true);
  });

  it("lets an admin leave", async () => {
    actAs(t.adminA.id);
    expect((await removeMemberAction(null, { orgSlug: "org-a", userId: t.adminA.id }))?.ok).toBe(true);
    expect((await lastAudit(t.orgA.id)).summary).toBe(`Admin A (${t.adminA.email}) left the organization`);
  });
});

describe("every member action refuses callers without membership or permission", () => {
  const calls = () => [
    ["add", () => addMemberAction(null, { orgSlug: "org-a", email: t.ownerB.email, role: "member" })],
    ["change role", () => changeRoleAction(null, { orgSlug: "org-a", userId: t.adminA.id, role: "member" })],
    ["remove", () => removeMemberAction(null, { orgSlug: "org-a", userId: t.adminA.id })],
  ] as const;

  it.each([
    ["signed out", () => null, "Please sign in."],
    ["owner of org B", () => t.ownerB.id, "Organization not found."],
    ["member of org A", () => t.memberA.id, expect.stringMatching(/do not have permission/)],
  ])("%s", async (_who, user, message) => {
    actAs(user());
    const before = await db().select().from(memberships);
    const auditBefore = await auditCount();
    for (const [, call] of calls()) {
      expect(await call()).toMatchObject({ ok: false, message });
    }
    expect(await db().select().from(memberships)).toEqual(before);
    expect(await auditCount()).toBe(auditBefore);
  });
});
