import { and, desc, eq } from "drizzle-orm";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { auditLog, emailOutbox, invitations, memberships, users } from "@/db/schema";
import { acceptInvitation, lookupInvitation, INVITATION_TTL_MS } from "@/lib/accounts/invitations";
import { inviteMemberAction, resendInvitationAction, revokeInvitationAction } from "@/lib/actions/members";
import { pendingEmailKick } from "@/lib/email/kick";
import { processEmailOutbox } from "@/lib/email/pass";
import { useTestDatabase } from "../support/db";
import { insertUser, twoOrgs } from "../support/fixtures";
import { actAs } from "../support/session";
import { useTestSmtp } from "../support/test-smtp";

const jar = new Map<string, string>();
vi.mock("next/headers", () => ({
  headers: async () => new Headers({ host: "localhost:3000", "x-forwarded-proto": "http", "x-forwarded-for": "203.0.113.7" }),
  cookies: async () => ({
    get: (name: string) => (jar.has(name) ? { name, value: jar.get(name) } : undefined),
    getAll: () => [...jar].map(([name, value]) => ({ name, value })),
    set: (name: string, value: string) => void jar.set(name, value),
    delete: (name: string) => void jar.delete(name),
  }),
}));
const { acceptInvitationAction, signUpWithInvitationAction } = await import("@/lib/actions/invitations");

const db = useTestDatabase();
let t: Awaited<ReturnType<typeof twoOrgs>>;
const smtp = useTestSmtp();

beforeEach(async () => {
  jar.clear();
  t = await twoOrgs(db());
  actAs(null);
});

function form(values: Record<string, string>): FormData {
  const fd = new FormData();
  for (const [k, v] of Object.entries(values)) fd.set(k, v);
  return fd;
}

async function redirectOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    const digest = (err as { digest?: string }).digest ?? "";
    if (digest.startsWith("NEXT_REDIRECT")) return new URL(digest.split(";")[2], "http://localhost:3000").pathname;
    throw err;
  }
  throw new Error("expected a redirect");
}

/** Invites as A's owner and returns the token read from the email that arrived over SMTP. */
async function invite(email: string, role = "member"): Promise<string> {
  actAs(t.ownerA.id);
  const res = await inviteMemberAction(null, { orgSlug: t.orgA.slug, email, role });
  expect(res).toMatchObject({ ok: true });
  await pendingEmailKick();
  await processEmailOutbox({ budgetMs: 5_000 });
  const mail = smtp.messages.at(-1)!;
  const m = /https:\/\/portal\.example\.test\/invite\/(inv_[A-Za-z0-9_-]+)/.exec(mail.text ?? "");
  expect(m, "the invitation link in the text part").toBeTruthy();
  expect(mail.html).toContain(`https://portal.example.test/invite/${m![1]}`);
  return m![1];
}

const roleIn = async (orgId: number, userId: number) =>
  (await db().select().from(memberships).where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId))))[0]?.role ?? null;

describe("invitations", () => {
  it("invites by email with a role (audited), and a new account signs up from the link and joins", async () => {
    const token = await invite("New.Person@Example.com", "admin");
    expect(smtp.envelopes.at(-1)!.to).toEqual(["new.person@example.com"]);
    const [entry] = await db().select().from(auditLog).where(eq(auditLog.action, "invitation.created"));
    expect(entry.summary).toContain("new.person@example.com");

    const to = await redirectOf(signUpWithInvitationAction(null, form({ token, name: "New Person", password: "a-long-passphrase-42" })));
    expect(to).toBe(`/orgs/${t.orgA.slug}/devices`);
    const [user] = await db().select().from(users).where(eq(users.email, "new.person@example.com"));
    expect(await roleIn(t.orgA.id, user.id)).toBe("admin");
    expect(await db().select().from(auditLog).where(eq(auditLog.action, "invitation.accepted"))).toHaveLength(1);
    // single use
    expect(await lookupInvitation(db(), token)).toEqual({ state: "used" });
    const again = await signUpWithInvitationAction(null, form({ token, name: "X", password: "a-long-passphrase-42" }));
    expect(again).toMatchObject({ ok: false, message: expect.stringContaining("already used") });
  });

  it("lets an existing account with the invited address accept, and refuses another account", async () => {
    const existing = await insertUser(db(), "existing@example.com", "Existing");
    const token = await invite("existing@example.com");
    expect(await lookupInvitation(db(), token)).toMatchObject({ state: "valid", accountExists: true });

    actAs(t.ownerB.id);
    expect(await acceptInvitationAction(null, form({ token }))).toMatchObject({ ok: false, message: expect.stringContaining("existing@example.com") });
    expect(await roleIn(t.orgA.id, t.ownerB.id)).toBeNull();

    actAs(existing.id);
    expect(await redirectOf(acceptInvitationAction(null, form({ token })))).toBe(`/orgs/${t.orgA.slug}/devices`);
    expect(await roleIn(t.orgA.id, existing.id)).toBe("member");
    expect(await acceptInvitationAction(null, form({ token }))).toMatchObject({ ok: false, message: expect.stringContaining("already used") });
  });

  it("refuses expired, revoked, replaced (resent) and unknown links", async () => {
    const u = await insertUser(db(), "late@example.com");
    const token = await invite("late@example.com");
    const later = new Date(Date.now() + INVITATION_TTL_MS + 1_000);
    expect(await lookupInvitation(db(), token, later)).toEqual({ state: "expired" });
    await expect(db().transaction((tx) => acceptInvitation(tx, u.id, token, later))).rejects.toThrow(/expired/);

    const [inv] = await db().select().from(invitations);
    actAs(t.adminA.id);
    expect(await resendInvitationAction(null, { orgSlug: t.orgA.slug, invitationId: inv.id })).toMatchObject({ ok: true });
    await pendingEmailKick();
    expect(await lookupInvitation(db(), token)).toEqual({ state: "unknown" });
    expect(smtp.messages).toHaveLength(2);
    const [resent] = await db().select().from(auditLog).where(eq(auditLog.action, "invitation.resent"));
    expect(resent).toBeTruthy();

    expect(await revokeInvitationAction(null, { orgSlug: t.orgA.slug, invitationId: inv.id })).toMatchObject({ ok: true });
    const fresh = /invite\/(inv_[A-Za-z0-9_-]+)/.exec(smtp.messages[1].text ?? "")![1];
    expect(await lookupInvitation(db(), fresh)).toEqual({ state: "revoked" });
    expect(await lookupInvitation(db(), "inv_nonsense")).toEqual({ state: "unknown" });
    expect(await lookupInvitation(db(), "../../etc")).toEqual({ state: "unknown" });
    expect((await db().select().from(auditLog).orderBy(desc(auditLog.id)))[0].action).toBe("invitation.revoked");
  });

  it("refuses bad input with field errors and unauthorized callers, changing nothing", async () => {
    actAs(t.ownerA.id);
    for (const email of ["nope", "a@b", "x@example.com; y@example.com", ""]) {
      const res = await inviteMemberAction(null, { orgSlug: t.orgA.slug, email, role: "member" });
      expect(res).toMatchObject({ ok: false, errors: { email: [expect.any(String)] } });
    }
    expect(await inviteMemberAction(null, { orgSlug: t.orgA.slug, email: t.memberA.email, role: "member" })).toMatchObject({
      ok: false,
      errors: { email: ["Already a member of this organization"] },
    });
    expect(await inviteMemberAction(null, { orgSlug: t.orgA.slug, email: "x@example.com", role: "superuser" })).toMatchObject({ ok: false, errors: { role: [expect.any(String)] } });
    actAs(t.adminA.id);
    expect(await inviteMemberAction(null, { orgSlug: t.orgA.slug, email: "x@example.com", role: "owner" })).toMatchObject({ ok: false, errors: { role: [expect.any(String)] } });
    actAs(t.memberA.id);
    expect(await inviteMemberAction(null, { orgSlug: t.orgA.slug, email: "x@example.com", role: "member" })).toMatchObject({ ok: false });
    actAs(t.ownerB.id);
    expect(await inviteMemberAction(null, { orgSlug: t.orgA.slug, email: "x@example.com", role: "member" })).toMatchObject({ ok: false });
    expect(await db().select().from(invitations)).toHaveLength(0);
    expect(await db().select().from(emailOutbox)).toHaveLength(0);

    // another org cannot resend or revoke A's invitation; a pending one cannot be duplicated
    await invite("dup@example.com");
    const [inv] = await db().select().from(invitations);
    actAs(t.ownerB.id);
    expect(await revokeInvitationAction(null, { orgSlug: t.orgB.slug, invitationId: inv.id })).toMatchObject({ ok: false });
    expect(await resendInvitationAction(null, { orgSlug: t.orgB.slug, invitationId: inv.id })).toMatchObject({ ok: false });
    actAs(t.ownerA.id);
    expect(await inviteMemberAction(null, { orgSlug: t.orgA.slug, email: "dup@example.com", role: "member" })).toMatchObject({
      ok: false,
      errors: { email: [expect.stringContaining("Already invited")] },
    });
    const [after] = await db().select().from(invitations);
    expect(after.revokedAt).toBeNull();
  });

  it("caps invitation emails per org per hour (INVITATIONS_PER_HOUR)", async () => {
    process.env.INVITATIONS_PER_HOUR = "2";
    try {
      actAs(t.adminA.id);
      for (const email of ["c1@example.com", "c2@example.com"]) {
        expect(await inviteMemberAction(null, { orgSlug: t.orgA.slug, email, role: "member" })).toMatchObject({ ok: true });
      }
      const third = await inviteMemberAction(null, { orgSlug: t.orgA.slug, email: "c3@example.com", role: "member" });
      expect(third).toMatchObject({ ok: false, message: expect.stringContaining("invitations in the last hour") });
      const [inv] = await db().select().from(invitations).where(eq(invitations.email, "c1@example.com"));
      expect(await resendInvitationAction(null, { orgSlug: t.orgA.slug, invitationId: inv.id })).toMatchObject({ ok: false });
      expect(await db().select().from(invitations)).toHaveLength(2);
      // another org has its own budget
      actAs(t.ownerB.id);
      expect(await inviteMemberAction(null, { orgSlug: t.orgB.slug, email: "c3@example.com", role: "member" })).toMatchObject({ ok: true });
    } finally {
      delete process.env.INVITATIONS_PER_HOUR;
    }
  });

  it("accepts each link once when two requests race", async () => {
    const token = await invite("race@example.com");
    const results = await Promise.allSettled([
      signUpWithInvitationAction(null, form({ token, name: "One", password: "a-long-passphrase-42" })),
      signUpWithInvitationAction(null, form({ token, name: "Two", password: "a-long-passphrase-42" })),
    ]);
    const redirects = results.filter((r) => r.status === "rejected" && String((r.reason as { digest?: string }).digest).startsWith("NEXT_REDIRECT"));
    expect(redirects).toHaveLength(1);
    expect(await db().select().from(users).where(eq(users.email, "race@example.com"))).toHaveLength(1);
  });
});
