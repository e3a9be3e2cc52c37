import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { DeviceForm } from "@/components/devices/device-form";
import { Alert, PageHeader } from "@/components/ui";
import { getDb } from "@/db/client";
import { requireOrgPage } from "@/lib/auth/page";
import { getDevice } from "@/lib/devices/queries";

export const metadata: Metadata = { title: "Edit device" };

export default async function EditDevicePage({ params }: { params: Promise<{ slug: string; deviceId: string }> }) {
  const { slug, deviceId } = await params;
  const ctx = await requireOrgPage(slug);
  const id = Number(deviceId);
  const device = Number.isInteger(id) && id > 0 ? await getDevice(await getDb(), ctx.orgId, id) : null;
  if (!device) notFound();
  return (
    <div className="max-w-2xl">
      <PageHeader
        title={`Edit ${device.name}`}
        breadcrumb={[
          { label: "Devices", href: `/orgs/${ctx.orgSlug}/devices` },
          { label: device.name, href: `/orgs/${ctx.orgSlug}/devices/${device.id}` },
          { label: "Edit" },
        ]}
      />
      {ctx.can("device.modify") ? (
        <DeviceForm orgSlug={ctx.orgSlug} device={device} />
      ) : (
        <Alert tone="warning" title="Read-only access">
          Only owners and admins of {ctx.orgName} can edit devices.
        </Alert>
      )}
    </div>
  );
}
