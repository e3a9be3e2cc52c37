import { eq } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { auditLog, memberships, orgs, users } from "@/db/schema";
import { AccountError, createUserWithOrg, listUserOrgs } from "@/lib/accounts";
import { verifyPassword } from "@/lib/auth/password";
import { useTestDatabase } from "../support/db";

// The real next-auth signIn runs inside the action; only Next's request scope (headers/cookies) is provided here.
const jar = new Map<string, string>();
let forwardedFor = "203.0.113.9";
vi.mock("next/headers", () => ({
  headers: async () => new Headers({ host: "localhost:3000", "x-forwarded-proto": "http", "x-forwarded-for": forwardedFor }),
  cookies: async () => ({
    get: (name: string) => (jar.has(name) ? { name, value: jar.get(name) } : undefined),
    getAll: () => [...jar].map(([name, value]) => ({ name, value })),
    set: (name: string, value: string) => void jar.set(name, value),
    delete: (name: string) => void jar.delete(name),
  }),
}));

const { signUpAction, signInAction } = await import("@/lib/actions/auth");

const db = useTestDatabase();

function form(values: Record<string, string>): FormData {
  const fd = new FormData();
  for (const [k, v] of Object.entries(values)) fd.set(k, v);
  return fd;
}

/** Runs an action that is expected to redirect; returns the redirect target. */
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

const ada = { name: "Ada Lovelace", email: "Ada@Example.com", password: "correct horse", orgName: "Analytical Engines" };

describe("createUserWithOrg", () => {
  it("creates the user, an org with a slug from its name, the owner membership and an audit entry", async () => {
    const { user, org } = await createUserWithOrg(db(), ada);
    expect(user.email).toBe("ada@example.com");
    expect(org.slug).toBe("analytical-engines");
    const [row] = await db().select().from(users).where(eq(users.id, user.id));
    expect(row.passwordHash).not.toContain("correct horse");
    expect(await verifyPassword("correct horse", row.passwordHash)).toBe(true);
    expect(await listUserOrgs(db(), user.id)).toEqual([{ id: org.id, slug: org.slug, name: "Analytical Engines", role: "owner" }]);
    const audit = await db().select().from(auditLog).where(eq(auditLog.orgId, org.id));
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: "org.created", actorUserId: user.id });
    expect(audit[0].summary).toContain("Analytical Engines");
  });

  it("refuses an email that is taken, in any letter case, and creates nothing", async () => {
    await createUserWithOrg(db(), ada);
    const err = await createUserWithOrg(db(), { ...ada, email: "ADA@example.COM", orgName: "Other" }).catch((e) => e);
    expect(err).toBeInstanceOf(AccountError);
    expect(err.errors.email[0]).toMatch(/already exists/);
    expect(await db().select().from(users)).toHaveLength(1);
    expect(await db().select().from(orgs)).toHaveLength(1);
  });

  it("makes slugs unique: acme, acme-2, acme-3", async () => {
    const slugs = [];
    for (const i of [1, 2, 3]) {
      const { org } = await createUserWithOrg(db(), { ...ada, email: `u${i}@example.com`, orgName: "Acme" });
      slugs.push(org.slug);
    }
    expect(slugs).toEqual(["acme", "acme-2", "acme-3"]);
  });

  it("gives concurrent sign-ups with the same org name different slugs", async () => {
    const results = await Promise.all(
      [1, 2, 3, 4].map((i) => createUserWithOrg(db(), { ...ada, email: `c${i}@example.com`, orgName: "Same Name" })),
    );
    expect(new Set(results.map((r) => r.org.slug)).size).toBe(4);
  });
});

describe("signUpAction", () => {
  it("returns field errors and keeps what was typed (never the password)", async () => {
    const state = await signUpAction(null, form({ ...ada, password: "short", orgName: "" }));
    expect(state?.ok).toBe(false);
    expect(state?.errors?.password).toEqual(["Password must be at least 8 characters"]);
    expect(state?.errors?.orgName).toBeTruthy();
    expect(state?.values).toEqual({ name: ada.name, email: ada.email, orgName: "" });
    expect(await db().select().from(users)).toHaveLength(0);
  });

  it("says the email is taken", async () => {
    await createUserWithOrg(db(), ada);
    const state = await signUpAction(null, form(ada));
    expect(state).toMatchObject({ ok: false, errors: { email: [expect.stringMatching(/already exists/)] } });
  });

  it("creates the account, signs in (session cookie) and lands in the new org", async () => {
    jar.clear();
    const target = await redirectOf(signUpAction(null, form(ada)));
    expect(target).toBe("/orgs/analytical-engines/devices");
    expect([...jar.keys()].some((k) => k.includes("session-token"))).toBe(true);
    const [member] = await db().select().from(memberships);
    expect(member.role).toBe("owner");
  });
});

describe("signInAction", () => {
  it("signs in with the right password and goes home", async () => {
    await createUserWithOrg(db(), ada);
    jar.clear();
    expect(await redirectOf(signInAction(null, form({ email: "ada@example.com", password: ada.password })))).toBe("/");
    expect([...jar.keys()].some((k) => k.includes("session-token"))).toBe(true);
  });

  it("goes back to the page the user came from", async () => {
    await createUserWithOrg(db(), ada);
    const fd = form({ email: ada.email, password: ada.password, next: "/orgs/analytical-engines/webhooks" });
    expect(await redirectOf(signInAction(null, fd))).toBe("/orgs/analytical-engines/webhooks");
  });

  it("says the password is wrong without signing in", async () => {
    await createUserWithOrg(db(), ada);
    jar.clear();
    const state = await signInAction(null, form({ email: ada.email, password: "wrong password" }));
    expect(state).toMatchObject({ ok: false, message: "The email or password is incorrect." });
    expect(state?.values).toEqual({ email: ada.email });
    expect([...jar.keys()].some((k) => k.includes("session-token"))).toBe(false);
  });

  it("limits repeated failures and says when to try again, even with the right password", async () => {
    await createUserWithOrg(db(), ada);
    for (let i = 0; i < 5; i++) await signInAction(null, form({ email: ada.email, password: `wrong ${i}` }));
    const state = await signInAction(null, form({ email: ada.email, password: ada.password }));
    expect(state?.ok).toBe(false);
    expect(state?.message).toMatch(/^Too many failed sign-ins\. Try again in 1[45] minutes\.$/);
  });

  it("limits an address trying many emails by the address its proxy saw, whatever it claims itself", async () => {
    await createUserWithOrg(db(), ada);
    try {
      // through an appending proxy: the client's own X-Forwarded-For entries come first, the proxy's last
      let limited = false;
      for (let i = 0; i < 5 * 4 + 1 && !limited; i++) {
        forwardedFor = `10.0.${i}.1, 198.51.100.20`;
        const state = await signInAction(null, form({ email: `guess${i}@example.com`, password: "guess" }));
        limited = /^Too many failed sign-ins/.test(state?.message ?? "");
      }
      expect(limited).toBe(true);
      // another address is not affected
      forwardedFor = "10.0.0.1, 198.51.100.21";
      expect(await redirectOf(signInAction(null, form({ email: ada.email, password: ada.password })))).toBe("/");
    } finally {
      forwardedFor = "203.0.113.9";
    }
  });
});
