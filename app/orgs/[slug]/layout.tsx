import type { ReactNode } from "react";
import { AppShell } from "@/components/shell/app-shell";
import { getDb } from "@/db/client";
import { findUser, listUserOrgs } from "@/lib/accounts";
import { requireOrgPage } from "@/lib/auth/page";

/** Every portal page: signed in (else /sign-in), a member of the org in the URL (else not found), inside the shell. */
export default async function OrgLayout({ children, params }: { children: ReactNode; params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const ctx = await requireOrgPage(slug);
  const db = await getDb();
  const [user, orgs] = await Promise.all([findUser(db, ctx.userId), listUserOrgs(db, ctx.userId)]);
  return (
    <AppShell
      org={{ slug: ctx.orgSlug, name: ctx.orgName, role: ctx.role }}
      orgs={orgs.map((o) => ({ slug: o.slug, name: o.name, role: o.role }))}
      user={{ name: user?.name ?? "", email: user?.email ?? "" }}
    >
      {children}
    </AppShell>
  );
}
