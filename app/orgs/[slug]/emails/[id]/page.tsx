import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { EmailStatusBadge } from "@/components/emails/status-badge";
import { Card, CardHeader, PageHeader, Timestamp, Table, TBody, TD, TH, THead, TR } from "@/components/ui";
import { getDb } from "@/db/client";
import { findUser } from "@/lib/accounts";
import { requireOrgPage } from "@/lib/auth/page";
import { getEmail } from "@/lib/email/log";

export const metadata: Metadata = { title: "Email" };

/**
 * One email as its recipient gets it: the HTML part in a sandboxed iframe (srcdoc, no scripts, no same-origin
 * access, links open in a new tab), the text part, the headers and every send attempt.
 */
export default async function EmailPage({ params }: { params: Promise<{ slug: string; id: string }> }) {
  const { slug, id } = await params;
  const ctx = await requireOrgPage(slug);
  const db = await getDb();
  const me = await findUser(db, ctx.userId);
  const email = await getEmail(db, ctx.orgId, Number(id), ctx.can("org_setting.modify") ? null : (me?.email ?? "-"));
  if (!email) notFound();
  const base = `/orgs/${ctx.orgSlug}/emails`;
  return (
    <>
      <PageHeader
        breadcrumb={[{ label: "Emails", href: base }, { label: `Email ${email.id}` }]}
        title={email.subject}
        description={
          <span className="flex flex-wrap items-center gap-2">
            <span>To {email.to}</span>
            <EmailStatusBadge status={email.status} transport={email.transport} attempts={email.attempts} />
            {email.status === "pending" && email.attempts > 0 ? (
              <span>
                <Timestamp value={email.nextAttemptAt.toISOString()} prefix="next attempt" dueText="retrying now" />
              </span>
            ) : null}
          </span>
        }
      />
      <div className="space-y-6">
        {email.lastError ? (
          <p className="rounded-md border border-danger/30 bg-danger-soft px-3 py-2 text-sm text-danger">{email.lastError}</p>
        ) : null}
        <Card>
          <CardHeader title="HTML" description="Rendered in a sandbox: no scripts run, links open in a new tab." />
          <iframe
            title="HTML part"
            sandbox="allow-popups allow-popups-to-escape-sandbox"
            srcDoc={`<base target="_blank">${email.html}`}
            className="h-[32rem] w-full rounded-b-lg border-t border-line bg-white"
          />
        </Card>
        <Card>
          <CardHeader title="Text" />
          <pre data-testid="email-text" className="overflow-x-auto whitespace-pre-wrap break-words px-5 py-4 text-sm">
            {email.text}
          </pre>
        </Card>
        {Object.keys(email.headers).length > 0 ? (
          <Card>
            <CardHeader title="Headers" />
            <dl className="px-5 py-4 text-sm">
              {Object.entries(email.headers).map(([k, v]) => (
                <div key={k} className="break-all">
                  <dt className="inline font-medium">{k}: </dt>
                  <dd className="inline">{v}</dd>
                </div>
              ))}
            </dl>
          </Card>
        ) : null}
        <Card>
          <CardHeader title="Attempts" description={`${email.attemptLog.length} so far`} />
          {email.attemptLog.length > 0 ? (
            <Table>
              <THead>
                <tr>
                  <TH>When</TH>
                  <TH>Outcome</TH>
                  <TH>Answer</TH>
                  <TH className="hidden md:table-cell">Duration</TH>
                </tr>
              </THead>
              <TBody>
                {email.attemptLog.map((a) => (
                  <TR key={a.id}>
                    <TD>
                      <Timestamp value={a.attemptedAt.toISOString()} />
                    </TD>
                    <TD>{a.transport === "stored" ? "stored" : a.outcome}</TD>
                    <TD className="max-w-md break-words">{a.error ?? a.response ?? "—"}</TD>
                    <TD className="hidden md:table-cell">{a.durationMs ?? "—"} ms</TD>
                  </TR>
                ))}
              </TBody>
            </Table>
          ) : null}
        </Card>
      </div>
    </>
  );
}
