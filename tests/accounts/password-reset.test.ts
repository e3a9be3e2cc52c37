import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { emailOutbox, passwordResets, users } from "@/db/schema";
import { PASSWORD_RESET_TTL_MS, RESET_REQUESTED, requestPasswordReset, resetLinkState, resetPassword } from "@/lib/accounts/password-reset";
import { requestPasswordResetAction, resetPasswordAction } from "@/lib/actions/password-reset";
import { verifyPassword } from "@/lib/auth/password";
import { sessionJwt } from "@/lib/auth/session-version";
import { pendingEmailKick } from "@/lib/email/kick";
import { useTestDatabase } from "../support/db";
import { insertUser } from "../support/fixtures";
import { useTestSmtp } from "../support/test-smtp";

const db = useTestDatabase();
const smtp = useTestSmtp();


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
    if (digest.startsWith("NEXT_REDIRECT")) return digest.split(";")[2];
    throw err;
  }
  throw new Error("expected a redirect");
}

async function requestAndReadToken(email: string): Promise<string> {
  const res = await requestPasswordResetAction(null, form({ email }));
  expect(res).toEqual({ ok: true, message: RESET_REQUESTED });
  await pendingEmailKick();
  const mail = smtp.messages.filter((m) => m.to && JSON.stringify(m.to).includes(email.toLowerCase())).at(-1)!;
  const token = /https:\/\/portal\.example\.test\/reset-password\/(pwr_[A-Za-z0-9_-]+)/.exec(mail.text ?? "")?.[1];
  expect(token, "a reset link in the text part").toBeTruthy();
  expect(mail.html).toContain(`/reset-password/${token}`);
  return token!;
}

describe("password reset", () => {
  it("emails a single-use link; the reset sets the password and ends every other session", async () => {
    const user = await insertUser(db(), "rita@example.com", "Rita");
    // a session signed in before the reset (another browser)
    const before = { uid: String(user.id), sv: user.sessionVersion };
    expect(await sessionJwt({ token: { ...before } })).not.toBeNull();
    const token = await requestAndReadToken("Rita@Example.com");
    expect(smtp.envelopes[0].to).toEqual(["rita@example.com"]);
    expect(await redirectOf(resetPasswordAction(null, form({ token, password: "a-brand-new-passphrase" })))).toBe("/sign-in?reset=1");
    const [after] = await db().select().from(users).where(eq(users.id, user.id));
    expect(await verifyPassword("a-brand-new-passphrase", after.passwordHash)).toBe(true);
    expect(after.sessionVersion).toBe(user.sessionVersion + 1);
    expect(await sessionJwt({ token: { ...before } })).toBeNull();
    expect(await resetLinkState(db(), token)).toBe("used");
    expect(await resetPasswordAction(null, form({ token, password: "yet-another-passphrase" }))).toMatchObject({
      ok: false,
      message: expect.stringContaining("already used"),
    });
  });

  it("answers the same for an unknown address and sends nothing (no enumeration)", async () => {
    await insertUser(db(), "known@example.com");
    const known = await requestPasswordResetAction(null, form({ email: "known@example.com" }));
    const unknown = await requestPasswordResetAction(null, form({ email: "unknown@example.com" }));
    expect(unknown).toEqual(known);
    await pendingEmailKick();
    expect(smtp.envelopes.map((e) => e.to)).toEqual([["known@example.com"]]);
    const rows = await db().select().from(emailOutbox);
    expect(rows.map((r) => r.toAddress)).toEqual(["known@example.com"]);
  });

  it("refuses an expired link and a link of another kind; caps reset emails per hour with the same answer", async () => {
    const user = await insertUser(db(), "cap@example.com");
    const token = await requestAndReadToken("cap@example.com");
    const later = new Date(Date.now() + PASSWORD_RESET_TTL_MS + 1_000);
    expect(await resetLinkState(db(), token, later)).toBe("expired");
    await expect(db().transaction((tx) => resetPassword(tx, token, "a-brand-new-passphrase", later))).rejects.toThrow(/expired/);
    expect(await resetLinkState(db(), "inv_" + "a".repeat(43))).toBe("unknown");
    expect(await resetLinkState(db(), "pwr_" + "a".repeat(43))).toBe("unknown");

    for (let i = 0; i < 4; i++) expect(await requestPasswordResetAction(null, form({ email: "cap@example.com" }))).toEqual({ ok: true, message: RESET_REQUESTED });
    expect(await db().select().from(passwordResets).where(eq(passwordResets.userId, user.id))).toHaveLength(3);
  });

  it("gives field errors for a malformed address or a weak password, changing nothing", async () => {
    expect(await requestPasswordResetAction(null, form({ email: "not-an-email" }))).toMatchObject({ ok: false, errors: { email: [expect.any(String)] } });
    expect(await requestPasswordResetAction(null, form({}))).toMatchObject({ ok: false, errors: { email: [expect.any(String)] } });
    const user = await insertUser(db(), "weak@example.com");
    const token = await requestAndReadToken("weak@example.com");
    expect(await resetPasswordAction(null, form({ token, password: "short" }))).toMatchObject({ ok: false, errors: { password: [expect.any(String)] } });
    expect(await resetPasswordAction(null, form({ token, password: "password123" }))).toMatchObject({ ok: false, errors: { password: [expect.any(String)] } });
    const [after] = await db().select().from(users).where(eq(users.id, user.id));
    expect(after.passwordHash).toBe(user.passwordHash);
    expect(await resetLinkState(db(), token)).toBe("valid");
  });

  it("uses a link once when two resets race", async () => {
    await insertUser(db(), "race@example.com");
    const ids = await requestPasswordReset(db(), "race@example.com");
    expect(ids).toHaveLength(1);
    await pendingEmailKick();
    const token = /reset-password\/(pwr_[A-Za-z0-9_-]+)/.exec(smtp.messages.at(-1)?.text ?? "")?.[1];
    // the kick may not have run in this test: read the link from the stored row then
    const link = token ?? /reset-password\/(pwr_[A-Za-z0-9_-]+)/.exec((await db().select().from(emailOutbox))[0].text)![1];
    const results = await Promise.allSettled([
      db().transaction((tx) => resetPassword(tx, link, "first-new-passphrase")),
      db().transaction((tx) => resetPassword(tx, link, "second-new-passphrase")),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
  });
});
