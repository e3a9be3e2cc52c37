import "server-only";
import { emailRetrySchedule } from "./config";

/** What an SMTP attempt came to. */
export type SmtpResult =
  | { ok: true; messageId: string | null; response: string | null }
  | { ok: false; responseCode: number | null; response: string | null; error: string; permanent: boolean };

export type EmailOutcome = { kind: "sent" } | { kind: "retry"; delayMs: number } | { kind: "failed" };

const JITTER = 0.2;

/**
 * Classifies a nodemailer error: an SMTP 5xx reply to the envelope or the message is permanent (the server refused
 * this email: retrying sends nothing more), everything else — 4xx replies, refused/dropped connections, timeouts,
 * a failed login (a configuration to fix, after which the email should still go out) — is worth retrying.
 */
export function classifySmtpError(err: unknown): Extract<SmtpResult, { ok: false }> {
  const e = (err ?? {}) as { responseCode?: unknown; response?: unknown; code?: unknown; message?: unknown };
  const responseCode = typeof e.responseCode === "number" ? e.responseCode : null;
  const response = typeof e.response === "string" ? e.response.slice(0, 1_000) : null;
  const code = typeof e.code === "string" ? e.code : null;
  const message = typeof e.message === "string" ? e.message : String(err);
  const permanent = responseCode !== null && responseCode >= 500 && responseCode < 600 && code !== "EAUTH";
  return { ok: false, responseCode, response, error: (code ? `${code}: ${message}` : message).slice(0, 1_000), permanent };
}

/** The next step after `attemptsMade` attempts (1-based), with ±20 % jitter; failed when the schedule is exhausted. */
export function decideEmailOutcome(result: SmtpResult, attemptsMade: number, schedule = emailRetrySchedule(), random = Math.random): EmailOutcome {
  if (result.ok) return { kind: "sent" };
  if (result.permanent) return { kind: "failed" };
  const base = schedule[attemptsMade - 1];
  if (base === undefined) return { kind: "failed" };
  const factor = 1 + (random() * 2 - 1) * JITTER;
  return { kind: "retry", delayMs: Math.max(0, Math.round(base * 1000 * factor)) };
}
