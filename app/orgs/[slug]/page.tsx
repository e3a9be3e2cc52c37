import type { Metadata } from "next";
import { FleetOverview } from "@/components/fleet/fleet-overview";
import { PageHeader } from "@/components/ui";
import { getDb } from "@/db/client";
import { requireOrgPage } from "@/lib/auth/page";
import { fleetOverview } from "@/lib/fleet/overview";

export const metadata: Metadata = { title: "Overview" };
export const dynamic = "force-dynamic";

/** /orgs/{slug}: the fleet overview, the org's landing page. */
export default async function OrgOverviewPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const ctx = await requireOrgPage(slug);
  const overview = await fleetOverview(await getDb(), ctx.orgId, "24h");
  return (
    <>
      <PageHeader title="Overview" description="Your fleet at a glance: device status, events and deliveries, refreshed live." />
      <FleetOverview orgSlug={ctx.orgSlug} initial={overview} />
    </>
  );
}
