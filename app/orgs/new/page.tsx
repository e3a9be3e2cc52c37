import type { Metadata } from "next";
import Link from "next/link";
import { Logo } from "@/components/accounts/logo";
import { NewOrgForm } from "@/components/accounts/new-org-form";
import { Card, CardBody } from "@/components/ui";
import { getDb } from "@/db/client";
import { listUserOrgs } from "@/lib/accounts";
import { signOutAction } from "@/lib/actions/auth";
import { requireUserPage } from "@/lib/auth/page";

export const metadata: Metadata = { title: "New organization" };

export default async function NewOrgPage() {
  const userId = await requireUserPage();
  const orgs = await listUserOrgs(await getDb(), userId);
  return (
    <main className="flex min-h-dvh flex-col items-center px-4 py-12 sm:justify-center sm:py-16">
      <div className="w-full max-w-sm">
        <div className="mb-8 flex justify-center">
          <Logo />
        </div>
        <h1 className="mb-1 text-center text-xl font-semibold tracking-tight">New organization</h1>
        <p className="mb-6 text-center text-sm text-muted">
          {orgs.length ? "A separate space with its own devices, webhooks and members." : "You are not a member of any organization yet. Create one to get started."}
        </p>
        <Card>
          <CardBody className="p-6">
            <NewOrgForm />
          </CardBody>
        </Card>
        {orgs.length ? (
          <p className="mt-5 text-center text-sm">
            <Link href={`/orgs/${orgs[0].slug}/devices`} className="text-muted hover:text-fg">
              ← Back to {orgs[0].name}
            </Link>
          </p>
        ) : null}
        <form action={signOutAction} className="mt-2 text-center">
          <button type="submit" className="text-sm text-muted hover:text-fg hover:underline">
            Sign out
          </button>
        </form>
      </div>
    </main>
  );
}
