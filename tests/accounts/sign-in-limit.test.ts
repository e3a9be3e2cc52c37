import bcrypt from "bcryptjs";
import { sql } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { queryRows } from "@/db/client";
import { users } from "@/db/schema";
import { checkCredentials, SIGN_IN_MAX_FAILURES } from "@/lib/auth/credentials";
import { hashPassword } from "@/lib/auth/password";
import { useTestDatabase } from "../support/db";

// Counts how many passwords were really checked (hashed) while the attempts run in parallel.
const checked = vi.hoisted(() => ({ n: 0 }));
vi.mock("@/lib/auth/password", async (importOriginal) => {
  const actual = await importOriginal<typeof import("@/lib/auth/password")>();
  return {
    ...actual,
    verifyPassword: async (password: string, hash: string | null | undefined) => {
      checked.n++;
      return actual.verifyPassword(password, hash);
    },
  };
});

const db = useTestDatabase();

async function counter(key: string): Promise<number> {
  const [row] = await queryRows<{ count: number }>(db(), sql`select count from rate_limits where key = ${key}`);
  return Number(row?.count ?? 0);
}

describe("sign-in limit under parallel attempts", () => {
  it("checks at most 5 of 40 concurrent wrong passwords for one email, and the right one is then refused", async () => {
    await db().insert(users).values({ email: "victim@example.com", name: "V", passwordHash: await hashPassword("correct horse battery") });
    checked.n = 0;
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => checkCredentials("victim@example.com", `guess ${i}`, `198.51.100.${i}`)),
    );
    expect(checked.n).toBeLessThanOrEqual(SIGN_IN_MAX_FAILURES);
    expect(results.filter((r) => !r.ok && r.reason === "invalid")).toHaveLength(SIGN_IN_MAX_FAILURES);
    expect(results.filter((r) => !r.ok && r.reason === "rate_limited")).toHaveLength(40 - SIGN_IN_MAX_FAILURES);
    // refused attempts gave their reservation back: the counter holds the failures only
    expect(await counter("signin:email:victim@example.com")).toBe(SIGN_IN_MAX_FAILURES);
    expect(await checkCredentials("victim@example.com", "correct horse battery", "203.0.113.1")).toMatchObject({
      ok: false,
      reason: "rate_limited",
    });
  });

  it("checks at most 20 of 60 concurrent attempts from one address on different emails", async () => {
    checked.n = 0;
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) => checkCredentials(`user${i}@example.com`, "guess", "192.0.2.66")),
    );
    expect(checked.n).toBeLessThanOrEqual(SIGN_IN_MAX_FAILURES * 4);
    expect(results.filter((r) => !r.ok && r.reason === "rate_limited")).toHaveLength(60 - SIGN_IN_MAX_FAILURES * 4);
    // the per-email counters of refused attempts were released
    const [{ n }] = await queryRows<{ n: number }>(db(), sql`select coalesce(sum(count), 0)::int as n from rate_limits where key like 'signin:email:%'`);
    expect(Number(n)).toBe(SIGN_IN_MAX_FAILURES * 4);
  });

  it("a successful sign-in gives its address reservation back and clears the email's failures", async () => {
    await db().insert(users).values({ email: "ok@example.com", name: "O", passwordHash: await hashPassword("correct horse battery") });
    await checkCredentials("ok@example.com", "wrong one", "203.0.113.5");
    expect(await checkCredentials("ok@example.com", "correct horse battery", "203.0.113.5")).toMatchObject({ ok: true });
    expect(await counter("signin:email:ok@example.com")).toBe(0);
    expect(await counter("signin:ip:203.0.113.5")).toBe(1); // the one failure, not the success
  });
});

describe("password hashes", () => {
  it("hashes new passwords with argon2id and replaces a bcrypt hash at the next successful sign-in", async () => {
    expect(await hashPassword("correct horse battery")).toMatch(/^\$argon2id\$v=19\$/);
    const legacy = await bcrypt.hash("correct horse battery", 4);
    const [user] = await db().insert(users).values({ email: "old@example.com", name: "Old", passwordHash: legacy }).returning();
    expect(await checkCredentials("old@example.com", "wrong password", "203.0.113.8")).toEqual({ ok: false, reason: "invalid" });
    const [still] = await queryRows<{ password_hash: string }>(db(), sql`select password_hash from users where id = ${user.id}`);
    expect(still.password_hash).toBe(legacy);
    expect(await checkCredentials("old@example.com", "correct horse battery", "203.0.113.8")).toMatchObject({ ok: true });
    const [after] = await queryRows<{ password_hash: string }>(db(), sql`select password_hash from users where id = ${user.id}`);
    expect(after.password_hash).toMatch(/^\$argon2id\$/);
    expect(await checkCredentials("old@example.com", "correct horse battery", "203.0.113.8")).toMatchObject({ ok: true });
  });

  it("uses every byte of a long password (bcrypt ignored everything after the 72nd)", async () => {
    const long = `${"a-long-passphrase-".repeat(5)}tail one`; // 98 bytes
    await db().insert(users).values({ email: "long@example.com", name: "L", passwordHash: await hashPassword(long) });
    const sameFirst72 = `${long.slice(0, 72)}something else entirely`;
    expect(await checkCredentials("long@example.com", sameFirst72, "203.0.113.9")).toEqual({ ok: false, reason: "invalid" });
    expect(await checkCredentials("long@example.com", long, "203.0.113.9")).toMatchObject({ ok: true });
  });
});
