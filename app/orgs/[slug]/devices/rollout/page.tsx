import type { Metadata } from "next";
import { Rollout } from "@/components/devices/rollout";
import { PageHeader } from "@/components/ui";
import { getDb } from "@/db/client";
import { requireOrgPage } from "@/lib/auth/page";
import { listDeviceTags } from "@/lib/devices/queries";
import { rolloutSummary } from "@/lib/devices/desired-queries";

export const metadata: Metadata = { title: "Rollout" };
export const dynamic = "force-dynamic";

export default async function RolloutPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const ctx = await requireOrgPage(slug);
  const db = await getDb();
  const [summary, tags] = await Promise.all([rolloutSummary(db, ctx.orgId, null), listDeviceTags(db, ctx.orgId)]);
  return (
    <>
      <PageHeader
        title="Rollout"
        description="Desired configuration and target firmware across the fleet: on target, pending, failed and offline devices."
        breadcrumb={[{ label: "Devices", href: `/orgs/${ctx.orgSlug}/devices` }, { label: "Rollout" }]}
      />
      <Rollout orgSlug={ctx.orgSlug} tags={tags} canModify={ctx.can("device.modify")} initial={summary} />
    </>
  );
}
