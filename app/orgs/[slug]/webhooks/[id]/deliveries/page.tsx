import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { DeliveryLog } from "@/components/deliveries/delivery-log";
import { WebhookDeliveryHealth } from "@/components/deliveries/health";
import { ReplayFailedButton } from "@/components/deliveries/replay-button";
import { TestSends } from "@/components/deliveries/test-sends";
import { Card, CardBody, PageHeader } from "@/components/ui";
import { WebhookSections } from "@/components/webhooks/webhook-sections";
import { WebhookStatus } from "@/components/webhooks/webhook-status";
import { getDb } from "@/db/client";
import { requireOrgPage } from "@/lib/auth/page";
import { EVENT_CATALOG } from "@/lib/events/catalog";
import { listDeliveries, listTestSends } from "@/lib/delivery/log";
import { findWebhook, pendingDeliveries } from "@/lib/webhooks/manage";

export const metadata: Metadata = { title: "Webhook deliveries" };
export const dynamic = "force-dynamic";

/** /orgs/{slug}/webhooks/{id}/deliveries — one webhook's delivery log, 24 h health, and its test sends (marked Test). */
export default async function WebhookDeliveriesPage({ params }: { params: Promise<{ slug: string; id: string }> }) {
  const { slug, id } = await params;
  const ctx = await requireOrgPage(slug);
  const db = await getDb();
  const row = await findWebhook(db, ctx.orgId, Number(id));
  if (!row) notFound();
  const [initial, pending, tests] = await Promise.all([
    listDeliveries(db, ctx.orgId, { webhookId: row.id, limit: 50 }),
    pendingDeliveries(db, ctx.orgId, row.id),
    listTestSends(db, ctx.orgId, row.id),
  ]);
  const canModify = ctx.can("org_setting.modify");
  const base = `/orgs/${ctx.orgSlug}/webhooks`;
  const eventTypes = EVENT_CATALOG.filter((e) => row.events.includes(e.type) || e.type === "webhook.test").map((e) => ({
    type: e.type,
    description: e.description,
  }));
  return (
    <>
      <PageHeader
        breadcrumb={[{ label: "Webhooks", href: base }, { label: row.name, href: `${base}/${row.id}` }, { label: "Deliveries" }]}
        title={row.name}
        status={<WebhookStatus enabled={row.enabled} reason={null} />}
        description={<code className="break-all font-mono text-xs">{row.url}</code>}
        actions={canModify ? <ReplayFailedButton orgSlug={ctx.orgSlug} webhookId={row.id} /> : null}
      />
      <WebhookSections orgSlug={ctx.orgSlug} webhook={row} pending={pending} />
      <Card className="mb-6">
        <CardBody>
          <WebhookDeliveryHealth
            orgId={ctx.orgId}
            webhookId={row.id}
            emptyAction={
              canModify ? (
                <Link href={`${base}/${row.id}#send-test-event`} className="font-medium text-accent underline underline-offset-2 hover:text-accent-hover">
                  send a test event
                </Link>
              ) : (
                "deliveries appear here when a subscribed event happens."
              )
            }
          />
        </CardBody>
      </Card>
      <DeliveryLog orgSlug={ctx.orgSlug} webhookId={row.id} canModify={canModify} eventTypes={eventTypes} initial={initial} />
      <TestSends items={tests} />
    </>
  );
}
