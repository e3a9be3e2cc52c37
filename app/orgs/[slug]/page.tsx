import { redirect } from "next/navigation";

/** /orgs/{slug} opens the org's devices. */
export default async function OrgIndex({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  redirect(`/orgs/${encodeURIComponent(slug)}/devices`);
}
