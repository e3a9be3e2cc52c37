import type { Metadata } from "next";
import { DeviceForm } from "@/components/devices/device-form";
import { Alert, PageHeader } from "@/components/ui";
import { requireOrgPage } from "@/lib/auth/page";

export const metadata: Metadata = { title: "Add device" };

export default async function NewDevicePage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const ctx = await requireOrgPage(slug);
  return (
    <div className="max-w-2xl">
      <PageHeader title="Add device" description="Register a device to get its API token." breadcrumb={[{ label: "Devices", href: `/orgs/${ctx.orgSlug}/devices` }, { label: "Add device" }]} />
      {ctx.can("device.modify") ? (
        <DeviceForm orgSlug={ctx.orgSlug} />
      ) : (
        <Alert tone="warning" title="Read-only access">
          Only owners and admins of {ctx.orgName} can add devices.
        </Alert>
      )}
    </div>
  );
}
