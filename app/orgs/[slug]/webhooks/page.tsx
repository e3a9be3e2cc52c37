import type { Metadata } from "next";
import Link from "next/link";
import { ButtonLink, Card, EmptyState, PageHeader, Table, TBody, TD, TH, THead, TR } from "@/components/ui";
import { LastDelivery, SuccessRate, WebhookStatus } from "@/components/webhooks/webhook-status";
import { getDb } from "@/db/client";
import { requireOrgPage } from "@/lib/auth/page";
import { describeEvents, listWebhooks, webhookLimit } from "@/lib/webhooks/manage";

export const metadata: Metadata = { title: "Webhooks" };

/** "hooks.example.com" from a webhook URL (the whole URL if it does not parse). */
function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** /orgs/{slug}/webhooks — the org's webhooks with their health. */
export default async function WebhooksPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const ctx = await requireOrgPage(slug);
  const canEdit = ctx.can("org_setting.modify");
  const rows = await listWebhooks(await getDb(), ctx.orgId);
  const limit = webhookLimit();
  const base = `/orgs/${ctx.orgSlug}/webhooks`;
  const atLimit = rows.length >= limit;
  const createButton = canEdit ? (
    atLimit ? (
      <span className="text-sm text-muted">Limit of {limit} webhooks reached</span>
    ) : (
      <ButtonLink href={`${base}/new`} variant="primary">
        Create Webhook
      </ButtonLink>
    )
  ) : null;

  return (
    <>
      <PageHeader
        title="Webhooks"
        description="Signed HTTP requests to your systems whenever a device event happens."
        actions={createButton}
      />
      <Card>
        {rows.length === 0 ? (
          <EmptyState
            title="No webhooks yet"
            text={
              canEdit
                ? "Create a webhook to send device events (online, offline, telemetry…) to your own endpoint, signed so it can verify them."
                : "An owner or admin of this organization can create webhooks."
            }
            action={createButton}
          />
        ) : (
          <>
            {/* phones: one stacked card per webhook (the table would show only the name column) */}
            <ul aria-label="Webhooks" className="divide-y divide-line md:hidden">
              {rows.map((w) => {
                const events = describeEvents(w.events);
                return (
                  <li key={w.id} data-testid="webhook-card" className="space-y-1.5 px-4 py-3">
                    <div className="flex items-start justify-between gap-3">
                      <Link href={`${base}/${w.id}`} className="min-w-0 break-words font-medium text-accent underline-offset-2 hover:underline">
                        {w.name}
                      </Link>
                      <WebhookStatus enabled={w.enabled} reason={null} />
                    </div>
                    <p className="truncate font-mono text-xs text-muted" title={w.url}>
                      {hostOf(w.url)}
                    </p>
                    <p className="flex flex-wrap items-center gap-x-3 gap-y-1 text-xs text-muted">
                      <span>
                        {events.length} {events.length === 1 ? "event" : "events"}
                      </span>
                      <SuccessRate attempts={w.attempts24h} succeeded={w.succeeded24h} small />
                      <LastDelivery at={w.lastAttemptAt} status={w.lastStatus} error={w.lastError} inline />
                    </p>
                    {!w.enabled && w.disabledReason ? <p className="text-xs text-muted">{w.disabledReason}</p> : null}
                  </li>
                );
              })}
            </ul>
            <div className="hidden md:block">
              <Table aria-label="Webhooks">
                <THead>
                  <tr>
                    <TH>Name</TH>
                    <TH>Events</TH>
                    <TH>Status</TH>
                    <TH>Last delivery</TH>
                    <TH>Success (24 h)</TH>
                  </tr>
                </THead>
                <TBody>
                  {rows.map((w) => {
                    const events = describeEvents(w.events);
                    return (
                      <TR key={w.id}>
                        <TD className="max-w-md">
                          <Link href={`${base}/${w.id}`} className="font-medium text-accent underline-offset-2 hover:underline">
                            {w.name}
                          </Link>
                          <p className="truncate font-mono text-xs text-muted" title={w.url}>
                            {w.url}
                          </p>
                        </TD>
                        <TD className="max-w-64 text-sm text-muted" title={events.join(", ")}>
                          {events.length > 3 ? `${events.slice(0, 3).join(", ")} +${events.length - 3}` : events.join(", ")}
                        </TD>
                        <TD>
                          <WebhookStatus enabled={w.enabled} reason={w.disabledReason} />
                        </TD>
                        <TD>
                          <LastDelivery at={w.lastAttemptAt} status={w.lastStatus} error={w.lastError} />
                        </TD>
                        <TD>
                          <SuccessRate attempts={w.attempts24h} succeeded={w.succeeded24h} />
                        </TD>
                      </TR>
                    );
                  })}
                </TBody>
              </Table>
            </div>
          </>
        )}
      </Card>
      {rows.length > 0 ? (
        <p className="mt-3 text-xs text-muted">
          {rows.length} of {limit} webhooks used. Success rate counts delivery attempts of the last 24 hours (test events excluded).
        </p>
      ) : null}
    </>
  );
}
