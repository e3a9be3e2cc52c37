import { eq, sql } from "drizzle-orm";
import { afterEach, describe, expect, it, vi } from "vitest";
import { emailAttempts, emailOutbox, memberships } from "@/db/schema";
import { kickEmails, pendingEmailKick } from "@/lib/email/kick";
import { processEmailOutbox, RECIPIENT_LEFT } from "@/lib/email/pass";
import { queueEmails } from "@/lib/email/queue";
import { renderEmail } from "@/lib/email/render";
import { classifySmtpError, decideEmailOutcome } from "@/lib/email/retry";
import { closeSmtp } from "@/lib/email/transport";
import { UserError } from "@/lib/errors";
import { runTick } from "@/lib/jobs/tick";
import { useTestDatabase } from "../support/db";
import { insertOrg, insertUser } from "../support/fixtures";
import { useTestSmtp } from "../support/test-smtp";

const db = useTestDatabase();
const smtp = useTestSmtp();

afterEach(() => {
  delete process.env.SMTP_URL;
  delete process.env.APP_URL;
  closeSmtp();
});

async function sample(subject = "Hello from Signalpost") {
  return renderEmail({
    subject,
    heading: "A test",
    paragraphs: ["This is <b>not</b> markup."],
    details: [["Device", "Pump 7"]],
    action: { label: "Open the portal", url: "https://portal.example.test/orgs/acme/devices" },
  });
}

async function queue(to: string, extra: Partial<Parameters<typeof queueEmails>[1][number]> = {}) {
  const [id] = await queueEmails(db(), [{ kind: "test", to, orgId: null, email: await sample(), ...extra }]);
  return id;
}

const rowsOf = () => db().select().from(emailOutbox).orderBy(emailOutbox.id);

describe("email outbox over SMTP", () => {
  it("sends a queued email with a text and an HTML part, both linking to APP_URL, and records the attempt", async () => {
    await queue("Ada@Example.com", { headers: { "List-Unsubscribe": "<https://portal.example.test/u/x>" } });
    await kickEmails();
    await pendingEmailKick();

    expect(smtp.messages).toHaveLength(1);
    const m = smtp.messages[0];
    expect(smtp.envelopes[0].to).toEqual(["ada@example.com"]);
    expect(m.subject).toBe("Hello from Signalpost");
    expect(m.text).toContain("https://portal.example.test/orgs/acme/devices");
    expect(m.text).toContain("This is <b>not</b> markup.");
    expect(m.html).toContain('href="https://portal.example.test/orgs/acme/devices"');
    expect(m.html).toContain("This is &lt;b&gt;not&lt;/b&gt; markup.");
    expect(m.headerLines.find((h) => h.key === "list-unsubscribe")?.line).toBe("List-Unsubscribe: <https://portal.example.test/u/x>");

    const [row] = await rowsOf();
    expect(row).toMatchObject({ status: "sent", attempts: 1, transport: "smtp", lastError: null });
    const attempts = await db().select().from(emailAttempts);
    expect(attempts).toMatchObject([{ emailId: row.id, outcome: "sent", transport: "smtp" }]);
  });

  it("survives an SMTP outage: retried with backoff while the server is down, all sent once after recovery", async () => {
    await smtp.down();
    for (const to of ["a@example.com", "b@example.com", "c@example.com"]) await queue(to);
    const t0 = new Date();
    const first = await runTick({ now: t0, budgetMs: 5_000 });
    expect(first).toMatchObject({ emailsSent: 0, emailsRetried: 3, emailsFailed: 0 });
    let rows = await rowsOf();
    expect(rows.every((r) => r.status === "pending" && r.attempts === 1)).toBe(true);
    expect(rows[0].lastError).toMatch(/ECONNECTION|ECONNREFUSED/);
    // backoff: not due again at once (the first retry waits 30 s ± 20 %)
    expect(rows.every((r) => r.nextAttemptAt.getTime() >= t0.getTime() + 24_000)).toBe(true);
    expect((await runTick({ now: t0, budgetMs: 5_000 })).emailsRetried).toBe(0);

    // still down at the second attempt
    const t1 = new Date(t0.getTime() + 60_000);
    expect(await runTick({ now: t1, budgetMs: 5_000 })).toMatchObject({ emailsRetried: 3 });

    await smtp.up();
    const t2 = new Date(t0.getTime() + 3_600_000);
    expect(await runTick({ now: t2, budgetMs: 5_000 })).toMatchObject({ emailsSent: 3, emailsRetried: 0 });
    expect(await runTick({ now: new Date(t2.getTime() + 86_400_000), budgetMs: 5_000 })).toMatchObject({ emailsSent: 0 });

    expect(smtp.envelopes.map((e) => e.to[0]).sort()).toEqual(["a@example.com", "b@example.com", "c@example.com"]);
    rows = await rowsOf();
    expect(rows.map((r) => [r.status, r.attempts])).toEqual([["sent", 3], ["sent", 3], ["sent", 3]]);
    const attempts = await db().select().from(emailAttempts).where(eq(emailAttempts.emailId, rows[0].id));
    expect(attempts.map((a) => a.outcome)).toEqual(["retry", "retry", "sent"]);
  });

  it("retries on an SMTP 4xx answer and fails for good on a 5xx one, with the server's answer in the attempts", async () => {
    // Passes until the email has had its attempt: a kicked pass of this process may hold its lease for a moment
    // (seen on PostgreSQL), so wait for it rather than assume the explicit pass got the row.
    const attempted = async (id: number) => {
      for (let i = 0; i < 50; i++) {
        await pendingEmailKick();
        await processEmailOutbox({ budgetMs: 5_000 });
        if (((await rowsOf()).find((r) => r.id === id)?.attempts ?? 0) > 0) return;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    smtp.mode("tempfail");
    const tempId = await queue("temp@example.com");
    await attempted(tempId);
    smtp.mode("reject-recipient");
    const permId = await queue("nobody@example.com");
    await attempted(permId);

    const rows = await rowsOf();
    const temp = rows.find((r) => r.id === tempId)!;
    const perm = rows.find((r) => r.id === permId)!;
    expect(temp).toMatchObject({ status: "pending", attempts: 1 });
    expect(temp.lastError).toContain("451");
    expect(perm).toMatchObject({ status: "failed", attempts: 1 });
    expect(perm.lastError).toContain("550");
    const attempts = await db().select().from(emailAttempts).orderBy(emailAttempts.id);
    expect(attempts.map((a) => [a.emailId, a.outcome, a.responseCode])).toEqual([
      [tempId, "retry", 451],
      [permId, "failed", 550],
    ]);

    // the temporary failure goes out once the server accepts again; the permanent one is never retried
    smtp.mode("accept");
    await processEmailOutbox({ now: new Date(Date.now() + 3_600_000), budgetMs: 5_000 });
    expect(smtp.envelopes.map((e) => e.to)).toEqual([["temp@example.com"]]);
  });

  it("gives a recipient who left the org nothing (members-only emails are cancelled at send time)", async () => {
    const user = await insertUser(db(), "leaver@example.com");
    const stayer = await insertUser(db(), "stayer@example.com");
    const org = await insertOrg(db(), user.id);
    await db().insert(memberships).values({ orgId: org.id, userId: stayer.id, role: "member" });
    await queue(user.email, { orgId: org.id, userId: user.id, membersOnly: true });
    await queue(stayer.email, { orgId: org.id, userId: stayer.id, membersOnly: true });
    await db().delete(memberships).where(eq(memberships.userId, user.id));
    await processEmailOutbox({ budgetMs: 5_000 });
    expect(smtp.envelopes.map((e) => e.to)).toEqual([["stayer@example.com"]]);
    const rows = await rowsOf();
    expect(rows.map((r) => r.status)).toEqual(["cancelled", "sent"]);
    expect(rows[0].lastError).toBe(RECIPIENT_LEFT);
  });

  it("sends each email once when passes run at the same time (SKIP LOCKED claims)", async () => {
    for (let i = 0; i < 12; i++) await queue(`p${i}@example.com`);
    await Promise.all([processEmailOutbox({ budgetMs: 5_000 }), processEmailOutbox({ budgetMs: 5_000 }), kickEmails()]);
    await pendingEmailKick();
    expect(smtp.envelopes).toHaveLength(12);
    expect(new Set(smtp.envelopes.map((e) => e.to[0])).size).toBe(12);
    expect((await rowsOf()).every((r) => r.status === "sent" && r.attempts === 1)).toBe(true);
  });

  it("sends a row again when the worker that claimed it died (its lease ran out), and not before", async () => {
    await queue("lease@example.com");
    const now = new Date();
    const lease = new Date(now.getTime() + 60_000);
    // a worker claimed it (attempts 1, leased) and died before sending
    await db().execute(sql`update email_outbox set attempts = 1, next_attempt_at = ${lease.toISOString()}::timestamptz,
      locked_until = ${lease.toISOString()}::timestamptz`);
    expect((await processEmailOutbox({ now, budgetMs: 5_000 })).claimed).toBe(0);
    expect((await processEmailOutbox({ now: new Date(lease.getTime() + 1), budgetMs: 5_000 })).sent).toBe(1);
    expect(smtp.envelopes).toHaveLength(1);
    expect((await rowsOf())[0]).toMatchObject({ status: "sent", attempts: 2 });
  });
});

describe("email outbox without SMTP_URL (the embedded default)", () => {
  it("stores the email as sent by the 'stored' transport and logs where to read it", async () => {
    delete process.env.SMTP_URL;
    const owner = await insertUser(db(), "owner@example.com");
    const org = await insertOrg(db(), owner.id, "acme");
    const log = vi.spyOn(console, "info").mockImplementation(() => undefined);
    try {
      await queue("owner@example.com", { orgId: org.id, userId: owner.id });
      expect(await runTick({ budgetMs: 5_000 })).toMatchObject({ emailsSent: 1 });
      expect(log.mock.calls.flat().join("\n")).toContain("https://portal.example.test/orgs/acme/emails");
    } finally {
      log.mockRestore();
    }
    expect(smtp.messages).toHaveLength(0);
    expect((await rowsOf())[0]).toMatchObject({ status: "sent", transport: "stored", attempts: 1 });
  });
});

describe("retention", () => {
  it("prunes finished emails (and their attempts) older than EMAIL_RETENTION_DAYS from the tick, never pending ones", async () => {
    delete process.env.SMTP_URL;
    await queue("old@example.com");
    await queue("failed@example.com");
    await processEmailOutbox({ budgetMs: 5_000 });
    // finished 40 days ago: one stored, one failed for good; and one still pending (retrying) from back then
    await db().execute(sql`update email_outbox set completed_at = now() - interval '40 days'`);
    await db().execute(sql`update email_outbox set status = 'failed' where to_address = 'failed@example.com'`);
    await queue("pending@example.com");
    await db().execute(sql`update email_outbox set created_at = now() - interval '40 days', next_attempt_at = now() + interval '1 hour'
      where to_address = 'pending@example.com'`);
    await queue("new@example.com");
    const result = await runTick({ budgetMs: 5_000 });
    expect(result).toMatchObject({ emailsPruned: 2 });
    expect((await rowsOf()).map((r) => r.toAddress).sort()).toEqual(["new@example.com", "pending@example.com"]);
    expect((await db().select().from(emailAttempts)).length).toBeGreaterThan(0);
  });
});

describe("bad input", () => {
  it.each(["not-an-email", "a@b", "x@example.com, y@example.com", "x@example.com\r\nBcc: y@example.com", "", `${"a".repeat(250)}@example.com`])(
    "refuses the address %j with a field error and queues nothing",
    async (to) => {
      const err = await queue(to).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UserError);
      expect((err as UserError).errors?.email?.[0]).toBeTruthy();
      expect(await rowsOf()).toHaveLength(0);
    },
  );

  it("keeps line breaks out of the subject and refuses header values that carry them", async () => {
    const email = await sample("Hi\r\nBcc: evil@example.com");
    await queueEmails(db(), [{ kind: "test", to: "a@example.com", orgId: null, email }]);
    expect((await rowsOf())[0].subject).toBe("Hi Bcc: evil@example.com");
    await expect(
      queueEmails(db(), [{ kind: "test", to: "a@example.com", orgId: null, email, headers: { "X-A": "1\r\nBcc: e@example.com" } }]),
    ).rejects.toThrow();
  });
});

describe("retry decision", () => {
  it("treats 5xx as permanent and 4xx, connection errors and failed logins as temporary", () => {
    expect(classifySmtpError(Object.assign(new Error("x"), { responseCode: 550, code: "EENVELOPE" })).permanent).toBe(true);
    expect(classifySmtpError(Object.assign(new Error("x"), { responseCode: 452, code: "EENVELOPE" })).permanent).toBe(false);
    expect(classifySmtpError(Object.assign(new Error("x"), { code: "ECONNECTION" })).permanent).toBe(false);
    expect(classifySmtpError(Object.assign(new Error("x"), { responseCode: 535, code: "EAUTH" })).permanent).toBe(false);
    const temp = classifySmtpError(Object.assign(new Error("x"), { code: "ETIMEDOUT" }));
    expect(decideEmailOutcome(temp, 1, [30, 60], () => 0.5)).toEqual({ kind: "retry", delayMs: 30_000 });
    expect(decideEmailOutcome(temp, 3, [30, 60], () => 0.5)).toEqual({ kind: "failed" });
  });
});
