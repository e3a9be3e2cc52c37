import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { DeliveryStatusBadge } from "@/components/deliveries/status-badge";
import { Card, CardHeader, EmptyState, PageHeader, Timestamp, Table, TBody, TD, TH, THead, TR } from "@/components/ui";
import { getDb } from "@/db/client";
import { requireOrgPage } from "@/lib/auth/page";
import { getEvent } from "@/lib/delivery/event-log";
import { catalogEntry } from "@/lib/events/catalog";

export const metadata: Metadata = { title: "Event" };
export const dynamic = "force-dynamic";

/** /orgs/{slug}/events/{id} — one event: its data and every delivery it made. */
export default async function EventPage({ params }: { params: Promise<{ slug: string; id: string }> }) {
  const { slug, id } = await params;
  const ctx = await requireOrgPage(slug);
  const event = /^evt_[0-9A-Z]{26}$/.test(id) ? await getEvent(await getDb(), ctx.orgId, id) : null;
  if (!event) notFound();
  const base = `/orgs/${ctx.orgSlug}`;
  return (
    <>
      <PageHeader
        breadcrumb={[{ label: "Events", href: `${base}/events` }, { label: event.id }]}
        title={catalogEntry(event.type)?.description ?? event.type}
        description={
          <span className="font-mono text-xs">
            {event.type} · {event.id}
          </span>
        }
      />
      <div className="grid grid-cols-[minmax(0,1fr)] items-start gap-6 lg:grid-cols-2">
        <Card>
          <CardHeader title="Event" />
          <dl className="grid grid-cols-[8rem_minmax(0,1fr)] gap-y-2 px-5 py-4 text-sm">
            <dt className="text-muted">When</dt>
            <dd>
              <Timestamp value={event.createdAt} mode="absolute" /> <span className="text-xs text-muted">(<Timestamp value={event.createdAt} />)</span>
            </dd>
            <dt className="text-muted">Device</dt>
            <dd>
              {event.deviceUdid ? (
                event.deviceId ? (
                  <Link href={`${base}/devices/${event.deviceId}`} className="text-accent underline-offset-2 hover:underline">
                    {event.deviceName} <span className="font-mono text-xs text-muted">{event.deviceUdid}</span>
                  </Link>
                ) : (
                  <>
                    {event.deviceName} <span className="font-mono text-xs text-muted">{event.deviceUdid}</span>
                  </>
                )
              ) : (
                "—"
              )}
            </dd>
          </dl>
          <div className="px-5 pb-4">
            <p className="mb-1.5 text-sm font-medium">Data</p>
            <pre tabIndex={0} className="overflow-x-auto rounded-md border border-line bg-subtle px-3 py-2.5 font-mono text-xs">{JSON.stringify(event.data, null, 2)}</pre>
          </div>
        </Card>
        <Card id="deliveries" className="scroll-mt-6">
          <CardHeader title="Deliveries" description="One per webhook subscribed to this event when it happened." />
          {event.deliveries.length === 0 ? (
            <EmptyState
              title="No deliveries"
              text="No enabled webhook was subscribed to this event when it happened. Subscribe a webhook to this event type to deliver the next ones."
              action={
                <Link href={`${base}/webhooks`} className="text-sm font-medium text-accent underline-offset-2 hover:underline">
                  Go to webhooks
                </Link>
              }
            />
          ) : (
            <Table aria-label="Deliveries">
              <THead>
                <tr>
                  <TH>Webhook</TH>
                  <TH>Status</TH>
                  <TH>Created</TH>
                </tr>
              </THead>
              <TBody>
                {event.deliveries.map((d) => (
                  <TR key={d.id}>
                    <TD>
                      <Link href={`${base}/deliveries/${d.id}`} className="font-medium text-accent underline-offset-2 hover:underline">
                        {d.webhookName}
                      </Link>
                      {d.lastStatusCode ? <span className="block text-xs text-muted">HTTP {d.lastStatusCode}</span> : null}
                    </TD>
                    <TD>
                      <DeliveryStatusBadge status={d.status} attempts={d.attempts} parked={false} inFlight={false} />
                    </TD>
                    <TD className="whitespace-nowrap text-muted">
                      <Timestamp value={d.createdAt} />
                    </TD>
                  </TR>
                ))}
              </TBody>
            </Table>
          )}
        </Card>
      </div>
    </>
  );
}
