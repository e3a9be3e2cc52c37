import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { DeviceDetail } from "@/components/devices/device-detail";
import { PageHeader } from "@/components/ui";
import { getDb } from "@/db/client";
import { requireOrgPage } from "@/lib/auth/page";
import { getActiveToken, getDevice, recentDeviceEvents, recentDeviceSignals } from "@/lib/devices/queries";
import { getDesiredView } from "@/lib/devices/desired-queries";

export const metadata: Metadata = { title: "Device" };
export const dynamic = "force-dynamic";

export default async function DevicePage({ params }: { params: Promise<{ slug: string; deviceId: string }> }) {
  const { slug, deviceId } = await params;
  const ctx = await requireOrgPage(slug);
  const id = Number(deviceId);
  if (!Number.isInteger(id) || id <= 0) notFound();
  const db = await getDb();
  const device = await getDevice(db, ctx.orgId, id);
  if (!device) notFound();
  const [events, signals, token, desired] = await Promise.all([
    recentDeviceEvents(db, ctx.orgId, id),
    recentDeviceSignals(db, ctx.orgId, id),
    getActiveToken(db, ctx.orgId, id),
    getDesiredView(db, ctx.orgId, id),
  ]);
  return (
    <>
      <PageHeader
        title={device.name}
        description={<span className="font-mono text-[13px]">{device.udid}</span>}
        breadcrumb={[{ label: "Devices", href: `/orgs/${ctx.orgSlug}/devices` }, { label: device.name }]}
      />
      <DeviceDetail orgSlug={ctx.orgSlug} canModify={ctx.can("device.modify")} initial={{ device, events, signals, token, desired }} />
    </>
  );
}
