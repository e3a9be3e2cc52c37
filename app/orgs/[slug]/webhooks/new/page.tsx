import type { Metadata } from "next";
import { Alert, ButtonLink, PageHeader } from "@/components/ui";
import { WebhookForm } from "@/components/webhooks/webhook-form";
import { getDb } from "@/db/client";
import { requireOrgPage } from "@/lib/auth/page";
import { allowPrivateUrls } from "@/lib/env";
import { portalBaseUrl } from "@/lib/webhooks/portal-link";
import { devicesForPicker, listWebhooks, webhookLimit } from "@/lib/webhooks/manage";

export const metadata: Metadata = { title: "Create Webhook" };

/** /orgs/{slug}/webhooks/new — the Create Webhook form (owners and admins). */
export default async function NewWebhookPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const ctx = await requireOrgPage(slug, "org_setting.modify");
  const db = await getDb();
  const [devices, existing] = await Promise.all([devicesForPicker(db, ctx.orgId), listWebhooks(db, ctx.orgId)]);
  const base = `/orgs/${ctx.orgSlug}/webhooks`;
  const limit = webhookLimit();
  return (
    <>
      <PageHeader
        title="Create Webhook"
        breadcrumb={[{ label: "Webhooks", href: base }, { label: "Create Webhook" }]}
        description="Choose the events and shape the request; the preview shows exactly what your endpoint will receive."
      />
      {existing.length >= limit ? (
        // A full org: say so up front and offer the way out, instead of a form that would be refused on Save.
        <Alert
          tone="warning"
          title={`This organization has ${existing.length} of ${limit} webhooks, the most allowed`}
          actions={
            <ButtonLink href={base} variant="primary" size="sm">
              Go to webhooks
            </ButtonLink>
          }
        >
          <span data-testid="webhook-limit-reached">
            Delete a webhook you no longer need (open it and choose Delete at the top), or edit an existing one to send the events you want, before creating another.
            The limit is set by <code className="font-mono text-[13px]">WEBHOOK_LIMIT_PER_ORG</code>.
          </span>
        </Alert>
      ) : (
        <WebhookForm orgSlug={ctx.orgSlug} orgId={ctx.orgId} devices={devices} allowHttp={allowPrivateUrls()} portalBase={portalBaseUrl()} cancelHref={base} />
      )}
    </>
  );
}
