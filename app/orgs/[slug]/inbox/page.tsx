import type { Metadata } from "next";
import { InboxWorkspace } from "@/components/inbox/inbox-workspace";
import { PageHeader } from "@/components/ui";
import { getDb } from "@/db/client";
import { requireOrgPage } from "@/lib/auth/page";
import { listInboxes } from "@/lib/inbox/service";
import { requestOrigin } from "@/lib/inbox/origin";

export const metadata: Metadata = { title: "Inbox" };

/** /orgs/{slug}/inbox — built-in receivers: capture URLs, live requests and their signature verdicts. */
export default async function InboxPage({
  params,
  searchParams,
}: {
  params: Promise<{ slug: string }>;
  searchParams: Promise<{ inbox?: string | string[] }>;
}) {
  const { slug } = await params;
  const ctx = await requireOrgPage(slug);
  const [inboxes, origin, sp] = await Promise.all([listInboxes(await getDb(), ctx.orgId), requestOrigin(), searchParams]);
  const wanted = Number(Array.isArray(sp.inbox) ? sp.inbox[0] : sp.inbox);
  const selected = inboxes.find((i) => i.id === wanted)?.id ?? inboxes[0]?.id ?? null;
  return (
    <>
      <PageHeader
        title="Inbox"
        description="Built-in receivers. Point a webhook at an inbox URL and watch its requests arrive, with each signature checked against this organization's webhook secrets."
      />
      <InboxWorkspace
        orgSlug={ctx.orgSlug}
        canEdit={ctx.can("org_setting.modify")}
        initialInboxes={inboxes}
        initialSelectedId={selected}
        serverOrigin={origin}
      />
    </>
  );
}
