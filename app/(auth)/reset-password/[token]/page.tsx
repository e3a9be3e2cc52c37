import type { Metadata } from "next";
import { ResetPasswordForm } from "@/components/accounts/password-reset-forms";
import { ButtonLink, Card, CardBody } from "@/components/ui";
import { getDb } from "@/db/client";
import { RESET_REFUSED, resetLinkState } from "@/lib/accounts/password-reset";

export const metadata: Metadata = { title: "Reset password" };

export default async function ResetPasswordPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const state = await resetLinkState(await getDb(), token);
  return (
    <>
      <h1 className="mb-6 text-center text-xl font-semibold tracking-tight">Choose a new password</h1>
      <Card>
        <CardBody className="space-y-4 p-6">
          {state === "valid" ? (
            <>
              <p className="text-sm text-muted">Setting a new password signs this account out everywhere.</p>
              <ResetPasswordForm token={token} />
            </>
          ) : (
            <>
              <p role="status" className="text-sm">
                {RESET_REFUSED[state]}
              </p>
              <ButtonLink href="/forgot-password" className="w-full">
                Ask for a new link
              </ButtonLink>
            </>
          )}
        </CardBody>
      </Card>
    </>
  );
}
