import type { Metadata } from "next";
import { OrgSettingsForm } from "@/components/accounts/org-settings-form";
import { SettingsTabs } from "@/components/api-keys/settings-tabs";
import { PageHeader } from "@/components/ui";
import { requireOrgPage } from "@/lib/auth/page";

export const metadata: Metadata = { title: "Settings" };

export default async function SettingsPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const ctx = await requireOrgPage(slug);
  return (
    <>
      <PageHeader title="Settings" description="Organization-wide settings." />
      <SettingsTabs orgSlug={ctx.orgSlug} />
      <OrgSettingsForm
        orgSlug={ctx.orgSlug}
        name={ctx.orgName}
        canEdit={ctx.can("org_setting.modify")}
      />
    </>
  );
}
