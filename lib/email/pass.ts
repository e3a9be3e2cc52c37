import "server-only";
import { sql } from "drizzle-orm";
import { getDb, queryRows, type Db } from "@/db/client";
import { appUrl, smtpTimeoutMs } from "./config";
import { decideEmailOutcome, type SmtpResult } from "./retry";
import { currentTransport, sendSmtp } from "./transport";

/**
 * The email outbox pass: claims due rows (FOR UPDATE SKIP LOCKED, a lease that pushes next_attempt_at forward, as
 * the webhook outbox does, so a worker that dies leaves its rows due again when the lease ends), sends them through
 * SMTP_URL or stores them (no SMTP_URL), and writes each outcome back fenced on the `attempts` value it claimed.
 * Emails whose recipient left the org (members_only) are cancelled in the claim, never sent.
 */

const BATCH = 10;
const CONCURRENCY = 2;
const iso = (d: Date) => d.toISOString();

export const RECIPIENT_LEFT = "Not sent: the recipient no longer belongs to the organization.";

export type EmailPassResult = { claimed: number; sent: number; retried: number; failed: number; cancelled: number };

type ClaimedEmail = {
  id: number;
  attempts: number;
  to_address: string;
  subject: string;
  html: string;
  text: string;
  headers: Record<string, string> | string;
  org_slug: string | null;
};

/** A lease long enough for one batch sent CONCURRENCY at a time, each within its socket timeouts, plus write-back. */
export function emailLeaseMs(): number {
  return Math.ceil(BATCH / CONCURRENCY) * 3 * smtpTimeoutMs() + 30_000;
}

async function claimEmails(db: Db, now: Date, limit: number): Promise<{ rows: ClaimedEmail[]; cancelled: number }> {
  const lease = iso(new Date(now.getTime() + emailLeaseMs()));
  const rows = await queryRows<ClaimedEmail & { cancelled: number | null }>(
    db,
    sql`
      with candidates as (
        select e.id,
          (not e.members_only or exists (
            select 1 from memberships m where m.org_id = e.org_id and m.user_id = e.user_id)) as deliverable
        from email_outbox e
        where e.status = 'pending' and e.next_attempt_at <= ${iso(now)}::timestamptz
        order by e.next_attempt_at
        limit ${limit}
        for update of e skip locked
      ),
      cancelled as (
        update email_outbox e
        set status = 'cancelled', last_error = ${RECIPIENT_LEFT}, completed_at = ${iso(now)}::timestamptz,
            locked_until = null
        from candidates c
        where e.id = c.id and not c.deliverable
        returning e.id
      ),
      claimed as (
        update email_outbox e
        set next_attempt_at = ${lease}::timestamptz, locked_until = ${lease}::timestamptz, attempts = e.attempts + 1
        from candidates c
        where e.id = c.id and c.deliverable
        returning e.id, e.attempts, e.to_address, e.subject, e.html, e.text, e.headers, e.org_id
      )
      select claimed.id, claimed.attempts, claimed.to_address, claimed.subject, claimed.html, claimed.text,
        claimed.headers, o.slug as org_slug, null::int as cancelled
      from claimed left join orgs o on o.id = claimed.org_id
      union all
      select null, null, null, null, null, null, null, null, (select count(*)::int from cancelled)`,
  );
  // the count row is the one without an id (UNION ALL promises no order)
  const claimed = rows.filter((r) => r.id !== null);
  const count = rows.find((r) => r.id === null);
  return { rows: claimed.map((r) => ({ ...r, id: Number(r.id), attempts: Number(r.attempts) })), cancelled: Number(count?.cancelled ?? 0) };
}

const g = globalThis as unknown as { __signalpostEmailHint?: boolean };

async function sendOne(db: Db, row: ClaimedEmail, now: () => Date): Promise<"sent" | "retry" | "failed"> {
  const transport = currentTransport();
  const started = performance.now();
  let result: SmtpResult;
  if (transport.kind === "smtp") {
    const headers = typeof row.headers === "string" ? (JSON.parse(row.headers) as Record<string, string>) : row.headers;
    result = await sendSmtp(transport.url, { to: row.to_address, subject: row.subject, html: row.html, text: row.text, headers });
  } else {
    result = { ok: true, messageId: null, response: "stored (SMTP_URL is not set)" };
    if (row.org_slug) {
      console.info(`[email] SMTP_URL is not set: stored "${row.subject}" for ${row.to_address}; read it under Emails: ${appUrl()}/orgs/${row.org_slug}/emails`);
    } else if (process.env.NODE_ENV !== "production") {
      // account emails (password reset) belong to no org, so no Emails view shows them: in development the link is here
      const link = /https?:\/\/\S+/.exec(row.text)?.[0] ?? "(no link)";
      console.info(`[email] SMTP_URL is not set: stored "${row.subject}" for ${row.to_address} (development only, its link: ${link})`);
    } else {
      console.warn(`[email] SMTP_URL is not set: "${row.subject}" for ${row.to_address} was stored, not sent; set SMTP_URL to send account emails`);
    }
    if (!g.__signalpostEmailHint) {
      g.__signalpostEmailHint = true;
      console.info("[email] set SMTP_URL (e.g. smtp://user:pass@host:587) to send emails instead of storing them");
    }
  }
  const durationMs = Math.round(performance.now() - started);
  const at = now();
  const outcome = decideEmailOutcome(result, row.attempts);
  const error = result.ok ? null : result.error;
  await db.transaction(async (tx) => {
    if (outcome.kind === "sent") {
      await tx.execute(sql`
        update email_outbox set status = 'sent', transport = ${transport.kind}, message_id = ${result.ok ? result.messageId : null},
          sent_at = ${iso(at)}::timestamptz, completed_at = ${iso(at)}::timestamptz, locked_until = null, last_error = null
        where id = ${row.id} and attempts = ${row.attempts} and status = 'pending'`);
    } else if (outcome.kind === "retry") {
      await tx.execute(sql`
        update email_outbox set next_attempt_at = ${iso(new Date(at.getTime() + outcome.delayMs))}::timestamptz,
          locked_until = null, last_error = ${error}, transport = ${transport.kind}
        where id = ${row.id} and attempts = ${row.attempts} and status = 'pending'`);
    } else {
      await tx.execute(sql`
        update email_outbox set status = 'failed', completed_at = ${iso(at)}::timestamptz, locked_until = null,
          last_error = ${error}, transport = ${transport.kind}
        where id = ${row.id} and attempts = ${row.attempts} and status = 'pending'`);
    }
    await tx.execute(sql`
      insert into email_attempts (email_id, transport, outcome, response_code, response, error, duration_ms, attempted_at)
      values (${row.id}, ${transport.kind}, ${outcome.kind}, ${result.ok ? null : result.responseCode},
        ${result.response}, ${error}, ${durationMs}, ${iso(at)}::timestamptz)`);
  });
  return outcome.kind;
}

/** Sends due emails until none is due or the budget has passed. */
export async function processEmailOutbox(opts: { db?: Db; now?: Date; budgetMs: number }): Promise<EmailPassResult> {
  const db = opts.db ?? (await getDb());
  const started = performance.now();
  const clock = () => opts.now ?? new Date();
  const result: EmailPassResult = { claimed: 0, sent: 0, retried: 0, failed: 0, cancelled: 0 };
  do {
    const { rows, cancelled } = await claimEmails(db, clock(), BATCH);
    result.cancelled += cancelled;
    result.claimed += rows.length;
    if (rows.length === 0 && cancelled === 0) break;
    const queue = [...rows];
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let row = queue.shift(); row; row = queue.shift()) {
          const kind = await sendOne(db, row, clock);
          if (kind === "sent") result.sent++;
          else if (kind === "retry") result.retried++;
          else result.failed++;
        }
      }),
    );
  } while (performance.now() - started < opts.budgetMs);
  return result;
}
