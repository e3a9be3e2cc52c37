import type { Metadata } from "next";
import Link from "next/link";
import { ChangePasswordForm, SignOutEverywhereForm } from "@/components/accounts/account-forms";
import { Logo } from "@/components/accounts/logo";
import { Card, CardBody, CardHeader } from "@/components/ui";
import { getDb } from "@/db/client";
import { findUser, listUserOrgs } from "@/lib/accounts";
import { requireUserPage } from "@/lib/auth/page";

export const metadata: Metadata = { title: "Account" };

export default async function AccountPage({ searchParams }: { searchParams: Promise<{ changed?: string }> }) {
  const userId = await requireUserPage();
  const db = await getDb();
  const [user, orgs, { changed }] = await Promise.all([findUser(db, userId), listUserOrgs(db, userId), searchParams]);
  return (
    <main className="flex min-h-dvh flex-col items-center px-4 py-12 sm:py-16">
      <div className="w-full max-w-md">
        <div className="mb-8 flex justify-center">
          <Logo />
        </div>
        <h1 className="mb-1 text-center text-xl font-semibold tracking-tight">Account</h1>
        <p className="mb-6 text-center text-sm text-muted">
          {user ? `${user.name} · ${user.email}` : "Your account"}
        </p>
        <Card className="mb-4">
          <CardHeader title="Change password" description="Changing it signs out every other browser and device." />
          <CardBody>
            <ChangePasswordForm changed={changed === "1"} />
          </CardBody>
        </Card>
        <Card>
          <CardHeader title="Sessions" description="Signed in somewhere you no longer use? End every session, this one included." />
          <CardBody>
            <SignOutEverywhereForm />
          </CardBody>
        </Card>
        {orgs.length ? (
          <p className="mt-5 text-center text-sm">
            <Link href={`/orgs/${orgs[0].slug}/devices`} className="text-muted hover:text-fg">
              ← Back to {orgs[0].name}
            </Link>
          </p>
        ) : null}
      </div>
    </main>
  );
}
