import type { Metadata } from "next";
import { SettingsTabs } from "@/components/api-keys/settings-tabs";
import { NotificationsForm } from "@/components/notifications/notifications-form";
import { PageHeader } from "@/components/ui";
import { getDb } from "@/db/client";
import { requireOrgPage } from "@/lib/auth/page";
import { EVENT_CATALOG } from "@/lib/events/catalog";
import { NOTIFIABLE_EVENT_TYPES } from "@/lib/validation/notifications";
import { getMyNotifications } from "@/lib/notifications/prefs";
import { devicesForPicker } from "@/lib/webhooks/manage";

export const metadata: Metadata = { title: "My notifications" };
export const dynamic = "force-dynamic";

/** /orgs/{slug}/settings/notifications — the signed-in member's own email notifications in this org (every role). */
export default async function MyNotificationsPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const ctx = await requireOrgPage(slug);
  const db = await getDb();
  const [prefs, devices] = await Promise.all([getMyNotifications(db, ctx), devicesForPicker(db, ctx.orgId)]);
  const eventTypes = EVENT_CATALOG.filter((e) => (NOTIFIABLE_EVENT_TYPES as readonly string[]).includes(e.type)).map((e) => ({ type: e.type, label: e.description, group: e.group }));
  return (
    <>
      <PageHeader title="Settings" description="Organization-wide settings, and your own notifications." />
      <SettingsTabs orgSlug={ctx.orgSlug} />
      <NotificationsForm orgSlug={ctx.orgSlug} orgName={ctx.orgName} prefs={prefs} devices={devices} eventTypes={eventTypes} />
    </>
  );
}
