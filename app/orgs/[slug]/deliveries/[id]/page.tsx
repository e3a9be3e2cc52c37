import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { DeliveryDetailView } from "@/components/deliveries/delivery-detail";
import { inTextLinkClass, PageHeader } from "@/components/ui";
import { getDb } from "@/db/client";
import { requireOrgPage } from "@/lib/auth/page";
import { catalogEntry } from "@/lib/events/catalog";
import { getDelivery } from "@/lib/delivery/log";

export const metadata: Metadata = { title: "Delivery" };
export const dynamic = "force-dynamic";

/** /orgs/{slug}/deliveries/{id} — one delivery with every attempt (request sent, response, error, latency). */
export default async function DeliveryPage({ params }: { params: Promise<{ slug: string; id: string }> }) {
  const { slug, id } = await params;
  const ctx = await requireOrgPage(slug);
  const n = Number(id);
  const delivery = Number.isSafeInteger(n) && n > 0 ? await getDelivery(await getDb(), ctx.orgId, n) : null;
  if (!delivery) notFound();
  const description = catalogEntry(delivery.eventType)?.description ?? delivery.eventType;
  return (
    <>
      <PageHeader
        breadcrumb={[{ label: "Deliveries", href: `/orgs/${ctx.orgSlug}/deliveries` }, { label: `Delivery ${delivery.id}` }]}
        title={
          <>
            {description} →{" "}
            <Link href={`/orgs/${ctx.orgSlug}/webhooks/${delivery.webhookId}`} className={inTextLinkClass}>
              {delivery.webhookName}
            </Link>
          </>
        }
        description={delivery.deviceName ? `${delivery.deviceName} (${delivery.deviceUdid})` : undefined}
      />
      <DeliveryDetailView
        orgSlug={ctx.orgSlug}
        canModify={ctx.can("org_setting.modify")}
        initial={delivery}
        eventDescription={description}
      />
    </>
  );
}
