import "server-only";
import nodemailer from "nodemailer";
import { emailFrom, smtpTimeoutMs, smtpUrl } from "./config";
import { classifySmtpError, type SmtpResult } from "./retry";

export type OutgoingEmail = {
  to: string;
  subject: string;
  html: string;
  text: string;
  headers: Record<string, string>;
};

type Transporter = ReturnType<typeof nodemailer.createTransport>;
const g = globalThis as unknown as { __signalpostSmtp?: { url: string; transporter: Transporter } };

/** One pooled nodemailer transport per SMTP_URL (recreated when the variable changes, e.g. between tests). */
function transporterFor(url: string): Transporter {
  if (g.__signalpostSmtp?.url === url) return g.__signalpostSmtp.transporter;
  g.__signalpostSmtp?.transporter.close();
  const timeout = smtpTimeoutMs();
  const transporter = nodemailer.createTransport({
    url,
    pool: true,
    maxConnections: 2,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
    // Never send traffic anywhere the URL did not name: no DNS-based service lookups, no proxies.
  });
  g.__signalpostSmtp = { url, transporter };
  return transporter;
}

/** Closes the cached SMTP connections (tests, shutdown). */
export function closeSmtp(): void {
  g.__signalpostSmtp?.transporter.close();
  g.__signalpostSmtp = undefined;
}

/** Sends one email through SMTP_URL; never throws (errors are classified for the retry decision). */
export async function sendSmtp(url: string, email: OutgoingEmail): Promise<SmtpResult> {
  try {
    const info = await transporterFor(url).sendMail({
      from: emailFrom(),
      to: email.to,
      subject: email.subject,
      text: email.text,
      html: email.html,
      headers: email.headers,
    });
    const rejected = (info.rejected ?? []).map(String);
    if (rejected.length > 0) {
      return { ok: false, responseCode: null, response: info.response ?? null, error: `rejected: ${rejected.join(", ")}`, permanent: true };
    }
    return { ok: true, messageId: info.messageId ?? null, response: info.response ?? null };
  } catch (err) {
    return classifySmtpError(err);
  }
}

/** Which transport this process sends with. */
export function currentTransport(): { kind: "smtp"; url: string } | { kind: "stored" } {
  const url = smtpUrl();
  return url ? { kind: "smtp", url } : { kind: "stored" };
}
