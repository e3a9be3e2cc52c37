import type { Metadata } from "next";
import Link from "next/link";
import { LogoMark } from "@/components/accounts/logo";
import { buttonClasses } from "@/components/ui";

export const metadata: Metadata = { title: "Not found" };

/** Shown for unknown URLs and for orgs (or their objects) the user is not a member of. */
export default function NotFound() {
  return (
    <main className="flex min-h-dvh flex-col items-center justify-center px-4 text-center">
      <LogoMark className="mb-6" />
      <p className="text-sm font-medium text-accent">404</p>
      <h1 className="mt-1 text-2xl font-semibold tracking-tight">Page not found</h1>
      <p className="mt-2 max-w-md text-sm text-muted">
        This page does not exist, or it belongs to an organization you are not a member of.
      </p>
      <div className="mt-6 flex gap-2">
        <Link href="/" className={buttonClasses("primary")}>
          Go to your organization
        </Link>
      </div>
    </main>
  );
}
