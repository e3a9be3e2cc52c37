import type { Metadata } from "next";
import { headers } from "next/headers";
import { ApiReference, type OpenApiDoc } from "@/components/api-reference/reference";
import { PageHeader } from "@/components/ui";
import { openApiDocument } from "@/lib/api/openapi";
import { requireOrgPage } from "@/lib/auth/page";

export const metadata: Metadata = { title: "API reference" };

/** The request's own origin for the curl examples (APP_URL when set). */
async function origin(): Promise<string> {
  if (process.env.APP_URL) return process.env.APP_URL.replace(/\/$/, "");
  let h: Awaited<ReturnType<typeof headers>> | null = null;
  try {
    h = await headers();
  } catch {
    // rendered outside a request (tests)
  }
  const host = h?.get("host");
  return host ? `${h?.get("x-forwarded-proto") ?? "http"}://${host}` : "http://localhost:3000";
}

export default async function ApiReferencePage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const ctx = await requireOrgPage(slug);
  return (
    <>
      <PageHeader title="API reference" description="The REST API at /api/v1: authenticate with an org API key." />
      <ApiReference doc={openApiDocument() as unknown as OpenApiDoc} origin={await origin()} settingsHref={`/orgs/${ctx.orgSlug}/settings/api-keys`} />
    </>
  );
}
