import type { Metadata } from "next";
import Link from "next/link";
import { AcceptInvitationForm, InvitationSignUpForm } from "@/components/accounts/invitation-forms";
import { ButtonLink, Card, CardBody } from "@/components/ui";
import { getDb } from "@/db/client";
import { getSignedInUser } from "@/lib/accounts/session";
import { INVITATION_REFUSED, lookupInvitation } from "@/lib/accounts/invitations";
import { ROLE_LABELS } from "@/lib/auth/permissions";

export const metadata: Metadata = { title: "Invitation" };

/**
 * An invitation link: join as a new account (sign up with the invited address), or sign in with it and accept.
 * Expired, used, revoked and unknown links are refused with a sentence saying so.
 */
export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const link = await lookupInvitation(await getDb(), token);
  if (link.state !== "valid") {
    return (
      <>
        <h1 className="mb-4 text-center text-xl font-semibold tracking-tight">Invitation</h1>
        <Card>
          <CardBody className="space-y-4 p-6">
            <p role="status" className="text-sm">
              {INVITATION_REFUSED[link.state]}
            </p>
            <ButtonLink href="/sign-in" className="w-full">
              Go to sign in
            </ButtonLink>
          </CardBody>
        </Card>
      </>
    );
  }
  const user = await getSignedInUser();
  const next = `/invite/${token}`;
  return (
    <>
      <h1 className="mb-1 text-center text-xl font-semibold tracking-tight">Join {link.orgName}</h1>
      <p className="mb-6 text-center text-sm text-muted">
        You are invited as {ROLE_LABELS[link.role]} ({link.email}).
      </p>
      <Card>
        <CardBody className="space-y-4 p-6">
          {user && user.email === link.email ? (
            <AcceptInvitationForm token={token} />
          ) : user ? (
            <p className="text-sm">
              You are signed in as {user.email}, but this invitation is for {link.email}. Sign out, then open the link again
              and sign in with {link.email}.
            </p>
          ) : link.accountExists ? (
            <>
              <p className="text-sm">Sign in with {link.email} to accept the invitation.</p>
              <ButtonLink href={`/sign-in?next=${encodeURIComponent(next)}`} variant="primary" className="w-full">
                Sign in to accept
              </ButtonLink>
            </>
          ) : (
            <>
              <InvitationSignUpForm token={token} email={link.email} />
              <p className="text-center text-sm text-muted">
                Already have an account with this address?{" "}
                <Link href={`/sign-in?next=${encodeURIComponent(next)}`} className="font-medium text-accent hover:underline">
                  Sign in
                </Link>
              </p>
            </>
          )}
        </CardBody>
      </Card>
    </>
  );
}
