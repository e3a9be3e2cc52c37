import "server-only";
import { z } from "zod";
import { intEnv } from "@/lib/env";
import { portalBaseUrl } from "@/lib/webhooks/portal-link";

/** SMTP_URL (smtp://user:pass@host:587 or smtps://…); unset → emails are stored and shown under Emails. */
export function smtpUrl(): string | null {
  const raw = process.env.SMTP_URL?.trim();
  return raw ? raw : null;
}

/** The portal's public base URL for links in emails: APP_URL, else http://localhost:$PORT. No trailing slash. */
export function appUrl(): string {
  return portalBaseUrl();
}

/** The From header: EMAIL_FROM, else "Signalpost <no-reply@host of APP_URL>". */
export function emailFrom(): string {
  const raw = process.env.EMAIL_FROM?.trim();
  if (raw) return raw;
  let host = "localhost";
  try {
    host = new URL(appUrl()).hostname || host;
  } catch {
    // a malformed APP_URL: keep localhost
  }
  return `Signalpost <no-reply@${host.includes(".") ? host : `${host}.localdomain`}>`;
}

/** 30 s, 2 min, 10 min, 30 min, 1 h, 2 h, 4 h, 8 h, 12 h — about 28 h in all. */
export const DEFAULT_EMAIL_RETRY_SCHEDULE_SECONDS = [30, 120, 600, 1_800, 3_600, 7_200, 14_400, 28_800, 43_200];

/** Delays between attempts in seconds: EMAIL_RETRY_SCHEDULE (comma-separated seconds) or the default. */
export function emailRetrySchedule(): number[] {
  const raw = process.env.EMAIL_RETRY_SCHEDULE?.trim();
  if (!raw) return DEFAULT_EMAIL_RETRY_SCHEDULE_SECONDS;
  const parsed = raw.split(",").map((s) => Number(s.trim()));
  if (parsed.some((n) => !Number.isFinite(n) || n < 0)) {
    throw new Error(`EMAIL_RETRY_SCHEDULE must be comma-separated seconds, got "${raw}"`);
  }
  return parsed;
}

/** Socket timeouts for one SMTP attempt (EMAIL_SMTP_TIMEOUT_MS, 20 s). */
export function smtpTimeoutMs(): number {
  return intEnv("EMAIL_SMTP_TIMEOUT_MS", 20_000) || 20_000;
}

/**
 * One email address as the app accepts it: trimmed, lower-cased, at most 254 characters, a single plain
 * address (no display name, no list, no CR/LF that could inject headers).
 */
export const emailAddressSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(254, "Enter at most 254 characters.")
  .pipe(z.email("Enter a valid email address."));
