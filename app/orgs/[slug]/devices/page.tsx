import type { Metadata } from "next";
import { CsvImport } from "@/components/devices/csv-import";
import { DeviceList } from "@/components/devices/device-list";
import { ButtonLink, PageHeader } from "@/components/ui";
import { getDb } from "@/db/client";
import { requireOrgPage } from "@/lib/auth/page";
import { countDevicesByStatus, listDeviceTags, listDevices } from "@/lib/devices/queries";

export const metadata: Metadata = { title: "Devices" };
export const dynamic = "force-dynamic";

export default async function DevicesPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const ctx = await requireOrgPage(slug);
  const db = await getDb();
  const [page, counts, tags] = await Promise.all([
    listDevices(db, ctx.orgId, { limit: 50 }),
    countDevicesByStatus(db, ctx.orgId),
    listDeviceTags(db, ctx.orgId),
  ]);
  const canModify = ctx.can("device.modify");
  return (
    <>
      <PageHeader
        title="Devices"
        description="Devices report their status to the API with their token; every change becomes a webhook event."
        actions={
          <div className="flex gap-2">
            <ButtonLink href={`/orgs/${ctx.orgSlug}/devices/rollout`}>Rollout</ButtonLink>
            {canModify ? (
              <>
                <CsvImport orgSlug={ctx.orgSlug} />
                <ButtonLink href={`/orgs/${ctx.orgSlug}/devices/new`} variant="primary">
                  Add device
                </ButtonLink>
              </>
            ) : null}
          </div>
        }
      />
      <DeviceList orgSlug={ctx.orgSlug} canModify={canModify} tags={tags} initial={{ ...page, counts }} />
    </>
  );
}
