import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { SignInForm } from "@/components/accounts/sign-in-form";
import { Card, CardBody } from "@/components/ui";
import { getSignedInUser, homePathFor } from "@/lib/accounts/session";
import { safeNextPath } from "@/lib/validation/auth";

export const metadata: Metadata = { title: "Sign in" };

// next-auth sends form posts that fail back here with ?error=…&code=… (scripts and no-JS browsers).
function messageFor(error?: string, code?: string): string | undefined {
  if (!error) return undefined;
  if (code === "rate_limited") return "Too many failed sign-ins. Try again in a few minutes.";
  if (error === "CredentialsSignin") return "The email or password is incorrect.";
  return "Signing in did not work. Please try again.";
}

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  const user = await getSignedInUser();
  if (user) redirect(await homePathFor(user.id));
  const next = safeNextPath.parse(one(params.next) ?? one(params.callbackUrl)?.replace(/^https?:\/\/[^/]+/, ""));
  return (
    <>
      <h1 className="mb-1 text-center text-xl font-semibold tracking-tight">Sign in to Signalpost</h1>
      <p className="mb-6 text-center text-sm text-muted">Manage devices and the webhooks they trigger.</p>
      {one(params.reset) === "1" ? (
        <p role="status" className="mb-4 rounded-md border border-success/30 bg-success-soft px-3 py-2 text-sm text-success">
          Your password was changed and every other session ended. Sign in with the new password.
        </p>
      ) : null}
      <Card>
        <CardBody className="p-6">
          <SignInForm next={next} initialMessage={messageFor(one(params.error), one(params.code))} />
        </CardBody>
      </Card>
    </>
  );
}
