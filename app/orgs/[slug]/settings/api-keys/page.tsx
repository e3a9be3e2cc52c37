import type { Metadata } from "next";
import { ApiKeysPanel } from "@/components/api-keys/api-keys-panel";
import { SettingsTabs } from "@/components/api-keys/settings-tabs";
import { PageHeader } from "@/components/ui";
import { getDb } from "@/db/client";
import { listApiKeys } from "@/lib/api/keys";
import { requireOrgPage } from "@/lib/auth/page";

export const metadata: Metadata = { title: "API keys" };
export const dynamic = "force-dynamic";

export default async function ApiKeysPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const ctx = await requireOrgPage(slug);
  const keys = await listApiKeys(await getDb(), ctx.orgId);
  return (
    <>
      <PageHeader title="Settings" description="Organization-wide settings." />
      <SettingsTabs orgSlug={ctx.orgSlug} />
      <ApiKeysPanel orgSlug={ctx.orgSlug} keys={keys} canManage={ctx.can("org_setting.modify")} />
    </>
  );
}
