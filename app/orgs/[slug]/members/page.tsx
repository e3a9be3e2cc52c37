import type { Metadata } from "next";
import { MembersPanel } from "@/components/accounts/members-panel";
import { PageHeader } from "@/components/ui";
import { getDb } from "@/db/client";
import { listMembers } from "@/lib/accounts";
import { requireOrgPage } from "@/lib/auth/page";

export const metadata: Metadata = { title: "Members" };

export default async function MembersPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const ctx = await requireOrgPage(slug);
  const members = await listMembers(await getDb(), ctx.orgId);
  return (
    <>
      <PageHeader
        title="Members"
        description="People who can sign in to this organization, and what their role lets them do."
      />
      <MembersPanel
        orgSlug={ctx.orgSlug}
        members={members.map((m) => ({ ...m, joinedAt: m.joinedAt.toISOString() }))}
        currentUserId={ctx.userId}
        actorRole={ctx.role}
        canManage={ctx.can("org_setting.modify")}
      />
    </>
  );
}
