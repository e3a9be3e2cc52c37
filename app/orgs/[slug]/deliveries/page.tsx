import type { Metadata } from "next";
import { DeliveryLog } from "@/components/deliveries/delivery-log";
import { ReplayFailedButton } from "@/components/deliveries/replay-button";
import { PageHeader } from "@/components/ui";
import { getDb } from "@/db/client";
import { requireOrgPage } from "@/lib/auth/page";
import { EVENT_CATALOG } from "@/lib/events/catalog";
import { listDeliveries } from "@/lib/delivery/log";

export const metadata: Metadata = { title: "Deliveries" };
export const dynamic = "force-dynamic";

const EVENT_TYPES = EVENT_CATALOG.map((e) => ({ type: e.type, description: e.description }));

/** /orgs/{slug}/deliveries — every webhook delivery of the org, live. */
export default async function DeliveriesPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const ctx = await requireOrgPage(slug);
  const initial = await listDeliveries(await getDb(), ctx.orgId, { limit: 50 });
  const canModify = ctx.can("org_setting.modify");
  return (
    <>
      <PageHeader
        title="Deliveries"
        description="Every event sent to your webhooks: what was sent, what came back, and when the next retry is due."
        actions={canModify ? <ReplayFailedButton orgSlug={ctx.orgSlug} /> : null}
      />
      <DeliveryLog orgSlug={ctx.orgSlug} canModify={canModify} eventTypes={EVENT_TYPES} initial={initial} />
    </>
  );
}
