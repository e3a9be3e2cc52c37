import { getDb } from "@/db/client";
import { isDatabaseUnavailable } from "@/lib/http/json";
import { applyUnsubscribe, unsubscribeOrgName } from "@/lib/notifications/prefs";
import { verifyUnsubscribeToken, type UnsubscribeKind } from "@/lib/notifications/unsubscribe-token";

/**
 * One-click unsubscribe (RFC 8058) for notification and alert emails, without a session: the token in the URL is
 * the authority (signed, scoped to one member of one org and one kind of email).
 * - GET shows a confirmation page with a button (link scanners and prefetchers follow GETs: a GET changes nothing);
 * - POST (the mail client's `List-Unsubscribe=One-Click`, or the page's button) turns that subscription off.
 * A malformed or forged token is a 400 page that changes nothing.
 */

const WHAT: Record<UnsubscribeKind, string> = {
  notifications: "device notification emails",
  alerts: "operational alert emails",
};

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(status: number, title: string, body: string): Response {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>${escape(title)} · Signalpost</title>
<style>body{font-family:-apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;background:#f4f4f5;margin:0;padding:48px 16px;color:#18181b}
main{max-width:480px;margin:0 auto;background:#fff;border-radius:8px;padding:24px 32px;box-shadow:0 1px 2px rgba(0,0,0,.06)}
h1{font-size:20px;margin:0 0 12px}p{font-size:15px;line-height:22px}.brand{color:#4f46e5;font-weight:600;font-size:14px}
button{background:#4f46e5;color:#fff;border:0;border-radius:6px;font-size:15px;padding:10px 18px;cursor:pointer}</style></head>
<body><main><p class="brand">Signalpost</p><h1>${escape(title)}</h1>${body}</main></body></html>`;
  return new Response(html, {
    status,
    headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store", "referrer-policy": "no-referrer" },
  });
}

const invalid = () =>
  page(400, "This unsubscribe link is not valid", "<p>The link is incomplete or was changed. Open it again from the email, or change your emails under My notifications in the portal.</p>");

const unavailable = () => page(503, "Please try again", "<p>The portal cannot reach its database right now. Nothing was changed.</p>");

type Ctx = { params: Promise<{ token: string }> };

export async function GET(_req: Request, { params }: Ctx): Promise<Response> {
  const target = verifyUnsubscribeToken((await params).token);
  if (!target) return invalid();
  try {
    const org = await unsubscribeOrgName(await getDb(), target.orgId);
    return page(
      200,
      `Unsubscribe from ${WHAT[target.kind]}?`,
      `<p>You will no longer get ${WHAT[target.kind]}${org ? ` from <strong>${escape(org)}</strong>` : ""}. You can turn them on again under My notifications.</p>
<form method="post"><button type="submit">Unsubscribe</button></form>`,
    );
  } catch (err) {
    if (isDatabaseUnavailable(err)) return unavailable();
    throw err;
  }
}

export async function POST(_req: Request, { params }: Ctx): Promise<Response> {
  const target = verifyUnsubscribeToken((await params).token);
  if (!target) return invalid();
  try {
    const member = await applyUnsubscribe(await getDb(), target);
    return member
      ? page(200, "You are unsubscribed", `<p>You will no longer get ${WHAT[target.kind]} from this organization. You can turn them on again under My notifications.</p>`)
      : page(200, "Nothing to unsubscribe", "<p>You no longer belong to this organization, so it sends you no emails.</p>");
  } catch (err) {
    if (isDatabaseUnavailable(err)) return unavailable();
    throw err;
  }
}
