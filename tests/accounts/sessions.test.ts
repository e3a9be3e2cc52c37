import { eq } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { users } from "@/db/schema";
import { createUserWithOrg } from "@/lib/accounts";
import { useTestDatabase } from "../support/db";
import { actAs } from "../support/session";

// Real next-auth sessions (JWT cookies) in several "browsers": each jar is one browser's cookies.
const jars = { current: new Map<string, string>() };
vi.mock("next/headers", () => ({
  headers: async () =>
    new Headers({
      host: "localhost:3000",
      "x-forwarded-proto": "http",
      "x-forwarded-for": "203.0.113.9",
      cookie: [...jars.current].map(([k, v]) => `${k}=${v}`).join("; "),
    }),
  cookies: async () => ({
    get: (name: string) => (jars.current.has(name) ? { name, value: jars.current.get(name) } : undefined),
    getAll: () => [...jars.current].map(([name, value]) => ({ name, value })),
    set: (name: string, value: string) => void jars.current.set(name, value),
    delete: (name: string) => void jars.current.delete(name),
  }),
}));

const { signUpAction, signInAction, signOutEverywhereAction, changePasswordAction } = await import("@/lib/actions/auth");
const { auth } = await import("@/lib/auth/config");

const db = useTestDatabase();
const ada = { name: "Ada Lovelace", email: "ada@example.com", password: "correct horse", orgName: "Engines" };

function form(values: Record<string, string>): FormData {
  const fd = new FormData();
  for (const [k, v] of Object.entries(values)) fd.set(k, v);
  return fd;
}

async function expectRedirect(promise: Promise<unknown>): Promise<string> {
  const err = await promise.then(
    () => null,
    (e) => e,
  );
  const digest = String((err as { digest?: string } | null)?.digest ?? "");
  expect(digest).toMatch(/^NEXT_REDIRECT/);
  return digest.split(";")[2];
}

/** Signs in inside a fresh "browser" and returns its cookie jar. */
async function browserSignedIn(password = ada.password): Promise<Map<string, string>> {
  const jar = new Map<string, string>();
  jars.current = jar;
  await expectRedirect(signInAction(null, form({ email: ada.email, password })));
  expect([...jar.keys()].some((k) => k.includes("session-token"))).toBe(true);
  return jar;
}

/** The user id the session in this jar resolves to (null: signed out / revoked). */
async function sessionUser(jar: Map<string, string>): Promise<string | null> {
  jars.current = jar;
  const session = await auth();
  return session?.user?.id ?? null;
}

describe("revocable sessions", () => {
  it("Sign out everywhere ends the sessions of every browser; a new sign-in works", async () => {
    const { user } = await createUserWithOrg(db(), ada);
    const laptop = await browserSignedIn();
    const phone = await browserSignedIn();
    expect(await sessionUser(laptop)).toBe(String(user.id));
    expect(await sessionUser(phone)).toBe(String(user.id));

    actAs(user.id);
    jars.current = laptop;
    expect(await expectRedirect(signOutEverywhereAction())).toMatch(/\/sign-in$/);
    expect(await sessionUser(phone)).toBeNull();
    expect(await sessionUser(laptop)).toBeNull();

    const again = await browserSignedIn();
    expect(await sessionUser(again)).toBe(String(user.id));
    expect(await sessionUser(phone)).toBeNull();
  });

  it("a password change ends the other sessions, keeps this one, and only the new password signs in", async () => {
    const { user } = await createUserWithOrg(db(), ada);
    const laptop = await browserSignedIn();
    const phone = await browserSignedIn();
    actAs(user.id);
    jars.current = laptop;
    const target = await expectRedirect(
      changePasswordAction(null, form({ currentPassword: ada.password, newPassword: "a much better passphrase" })),
    );
    expect(target).toContain("/account?changed=1");
    expect(await sessionUser(laptop)).toBe(String(user.id));
    expect(await sessionUser(phone)).toBeNull();

    jars.current = new Map();
    expect(await signInAction(null, form({ email: ada.email, password: ada.password }))).toMatchObject({ ok: false });
    await browserSignedIn("a much better passphrase");
  });

  it("refuses a wrong current password and a weak new one, changing nothing", async () => {
    const { user } = await createUserWithOrg(db(), ada);
    const laptop = await browserSignedIn();
    const [before] = await db().select().from(users).where(eq(users.id, user.id));
    actAs(user.id);
    jars.current = laptop;
    const wrong = await changePasswordAction(null, form({ currentPassword: "not it at all", newPassword: "a much better passphrase" }));
    expect(wrong).toMatchObject({ ok: false, errors: { currentPassword: ["The current password is incorrect"] } });
    for (const weak of ["password", "12345678", "        ", "Password1"]) {
      const state = await changePasswordAction(null, form({ currentPassword: ada.password, newPassword: weak }));
      expect(state?.ok, weak).toBe(false);
      expect(state?.errors?.newPassword?.[0], weak).toMatch(/common|spaces/);
    }
    actAs(null);
    expect(await changePasswordAction(null, form({ currentPassword: ada.password, newPassword: "a much better passphrase" }))).toMatchObject({
      ok: false,
      message: "Please sign in.",
    });
    const [after] = await db().select().from(users).where(eq(users.id, user.id));
    expect(after.passwordHash).toBe(before.passwordHash);
    expect(after.sessionVersion).toBe(before.sessionVersion);
    expect(await sessionUser(laptop)).toBe(String(user.id));
  });
});

describe("session version check (jwt callback)", () => {
  it("keeps a token of the current version (and older tokens without one at version 0), refuses a bumped or deleted user", async () => {
    const { sessionJwt, bumpSessionVersion } = await import("@/lib/auth/session-version");
    const { user } = await createUserWithOrg(db(), ada);
    const issued = await sessionJwt({ token: {}, user: { id: String(user.id), sessionVersion: 0 } });
    expect(issued).toMatchObject({ uid: String(user.id), sv: 0 });
    expect(await sessionJwt({ token: { ...issued } })).not.toBeNull();
    expect(await sessionJwt({ token: { uid: String(user.id) } })).not.toBeNull(); // issued before session versions
    expect(await bumpSessionVersion(db(), user.id)).toBe(1);
    expect(await sessionJwt({ token: { ...issued } })).toBeNull();
    expect(await sessionJwt({ token: { uid: String(user.id) } })).toBeNull();
    expect(await sessionJwt({ token: { uid: String(user.id), sv: 1 } })).not.toBeNull();
    await db().delete(users).where(eq(users.id, user.id));
    expect(await sessionJwt({ token: { uid: String(user.id), sv: 1 } })).toBeNull();
    expect(await sessionJwt({ token: { uid: "not a number" } })).toBeNull();
  });
});

describe("sign-up password rules", () => {
  it("refuses the most common passwords and whitespace-only ones, creating nothing", async () => {
    jars.current = new Map();
    for (const weak of ["password", "12345678", "        ", "QWERTYUIOP", "iloveyou"]) {
      const state = await signUpAction(null, form({ ...ada, password: weak }));
      expect(state?.ok, weak).toBe(false);
      expect(state?.errors?.password?.[0], weak).toMatch(/common|spaces/);
    }
    expect(await db().select().from(users)).toHaveLength(0);
    await expectRedirect(signUpAction(null, form({ ...ada, password: "a much better passphrase" })));
    expect(await db().select().from(users)).toHaveLength(1);
  });
});
