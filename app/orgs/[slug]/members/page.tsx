import type { Metadata } from "next";
import { InvitationsPanel } from "@/components/accounts/invitations-panel";
import { MembersPanel } from "@/components/accounts/members-panel";
import { PageHeader } from "@/components/ui";
import { getDb } from "@/db/client";
import { listMembers } from "@/lib/accounts";
import { listPendingInvitations } from "@/lib/accounts/invitations";
import { requireOrgPage } from "@/lib/auth/page";

export const metadata: Metadata = { title: "Members" };

export default async function MembersPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const ctx = await requireOrgPage(slug);
  const db = await getDb();
  const members = await listMembers(db, ctx.orgId);
  const canManage = ctx.can("org_setting.modify");
  const invitations = canManage ? await listPendingInvitations(db, ctx.orgId) : [];
  return (
    <>
      <PageHeader
        title="Members"
        description="People who can sign in to this organization, and what their role lets them do."
      />
      {canManage ? (
        <div className="mb-6">
          <InvitationsPanel
            orgSlug={ctx.orgSlug}
            actorRole={ctx.role}
            invitations={invitations.map((i) => ({ ...i, expiresAt: i.expiresAt.toISOString(), lastSentAt: i.lastSentAt.toISOString() }))}
          />
        </div>
      ) : null}
      <MembersPanel
        orgSlug={ctx.orgSlug}
        members={members.map((m) => ({ ...m, joinedAt: m.joinedAt.toISOString() }))}
        currentUserId={ctx.userId}
        actorRole={ctx.role}
        canManage={canManage}
      />
    </>
  );
}
