import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { PageHeader } from "@/components/ui";
import { WebhookForm } from "@/components/webhooks/webhook-form";
import { getDb } from "@/db/client";
import { requireOrgPage } from "@/lib/auth/page";
import { allowPrivateUrls } from "@/lib/env";
import { portalBaseUrl } from "@/lib/webhooks/portal-link";
import { devicesForPicker, findWebhook, webhookFormValues } from "@/lib/webhooks/manage";

export const metadata: Metadata = { title: "Edit webhook" };

/** /orgs/{slug}/webhooks/{id}/edit — the Edit form; credentials are never sent to the browser. */
export default async function EditWebhookPage({ params }: { params: Promise<{ slug: string; id: string }> }) {
  const { slug, id } = await params;
  const ctx = await requireOrgPage(slug, "org_setting.modify");
  const db = await getDb();
  const row = await findWebhook(db, ctx.orgId, Number(id));
  if (!row) notFound();
  const devices = await devicesForPicker(db, ctx.orgId);
  const detail = `/orgs/${ctx.orgSlug}/webhooks/${row.id}`;
  return (
    <>
      <PageHeader
        title={`Edit ${row.name}`}
        breadcrumb={[{ label: "Webhooks", href: `/orgs/${ctx.orgSlug}/webhooks` }, { label: row.name, href: detail }, { label: "Edit" }]}
      />
      <WebhookForm
        orgSlug={ctx.orgSlug}
        orgId={ctx.orgId}
        initial={{ ...webhookFormValues(row), skipEndpointCheck: false }}
        storedAuthType={row.authType}
        devices={devices}
        allowHttp={allowPrivateUrls()}
        portalBase={portalBaseUrl()}
        cancelHref={detail}
      />
    </>
  );
}
