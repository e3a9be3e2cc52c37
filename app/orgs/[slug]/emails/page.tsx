import type { Metadata } from "next";
import Link from "next/link";
import { EmailStatusBadge } from "@/components/emails/status-badge";
import { SendTestEmail } from "@/components/emails/send-test-email";
import { Card, EmptyState, PageHeader, Pagination, Table, TBody, TD, TH, THead, Timestamp, TR } from "@/components/ui";
import { getDb } from "@/db/client";
import { findUser } from "@/lib/accounts";
import { requireOrgPage } from "@/lib/auth/page";
import { smtpUrl } from "@/lib/email/config";
import { listEmails } from "@/lib/email/log";

export const metadata: Metadata = { title: "Emails" };

export default async function EmailsPage({
  params,
  searchParams,
}: {
  params: Promise<{ slug: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { slug } = await params;
  const ctx = await requireOrgPage(slug);
  const db = await getDb();
  const canManage = ctx.can("org_setting.modify");
  const me = await findUser(db, ctx.userId);
  const raw = (await searchParams).page;
  const page = Number(Array.isArray(raw) ? raw[0] : raw) || 1;
  const result = await listEmails(db, ctx.orgId, { onlyTo: canManage ? null : (me?.email ?? "-"), page });
  const base = `/orgs/${ctx.orgSlug}/emails`;
  const smtp = smtpUrl() !== null;
  return (
    <>
      <PageHeader
        title="Emails"
        description={
          smtp
            ? `Emails of this organization, sent through SMTP (SMTP_URL), with each attempt.${canManage ? "" : " You see the emails addressed to you."}`
            : `SMTP_URL is not set, so emails are stored here instead of being sent.${canManage ? "" : " You see the emails addressed to you."}`
        }
        actions={canManage ? <SendTestEmail orgSlug={ctx.orgSlug} /> : undefined}
      />
      <Card>
        {result.emails.length === 0 ? (
          <EmptyState
            title="No emails yet"
            text={
              canManage
                ? "Invitations, alerts and notifications of this organization appear here. Send a test email to check the mail setup."
                : "Invitations, alerts and notifications sent to you appear here."
            }
          />
        ) : (
          <Table>
            <THead>
              <tr>
                <TH>To</TH>
                <TH>Subject</TH>
                <TH>Status</TH>
                <TH className="hidden md:table-cell">Attempts</TH>
                <TH className="hidden md:table-cell">Created</TH>
              </tr>
            </THead>
            <TBody>
              {result.emails.map((e) => (
                <TR key={e.id}>
                  <TD className="max-w-48 truncate">{e.to}</TD>
                  <TD className="max-w-md">
                    <Link href={`${base}/${e.id}`} className="font-medium text-accent underline-offset-2 hover:underline">
                      {e.subject}
                    </Link>
                  </TD>
                  <TD>
                    <EmailStatusBadge status={e.status} transport={e.transport} attempts={e.attempts} />
                  </TD>
                  <TD className="hidden md:table-cell">{e.attempts}</TD>
                  <TD className="hidden md:table-cell">
                    <Timestamp value={e.createdAt.toISOString()} />
                  </TD>
                </TR>
              ))}
            </TBody>
          </Table>
        )}
        <Pagination
          summary={result.pageCount > 1 ? `Page ${result.page} of ${result.pageCount}` : undefined}
          previous={result.page > 1 ? { href: `${base}?page=${result.page - 1}` } : null}
          next={result.page < result.pageCount ? { href: `${base}?page=${result.page + 1}` } : null}
          previousLabel="← Newer"
          nextLabel="Older →"
        />
      </Card>
    </>
  );
}
