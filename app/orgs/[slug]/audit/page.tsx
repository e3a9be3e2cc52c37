import type { Metadata } from "next";
import { AuditTable } from "@/components/accounts/audit-table";
import { PageHeader } from "@/components/ui";
import { getDb } from "@/db/client";
import { listAuditEntries } from "@/lib/audit";
import { requireOrgPage } from "@/lib/auth/page";

export const metadata: Metadata = { title: "Audit log" };

export default async function AuditPage({
  params,
  searchParams,
}: {
  params: Promise<{ slug: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { slug } = await params;
  const ctx = await requireOrgPage(slug);
  const raw = (await searchParams).page;
  const page = Number(Array.isArray(raw) ? raw[0] : raw) || 1;
  const result = await listAuditEntries(await getDb(), ctx.orgId, page);
  return (
    <>
      <PageHeader title="Audit log" description="Who changed what in this organization, newest first." />
      <AuditTable
        entries={result.entries}
        page={result.page}
        pageCount={result.pageCount}
        total={result.total}
        basePath={`/orgs/${ctx.orgSlug}/audit`}
      />
    </>
  );
}
