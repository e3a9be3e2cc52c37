import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { SignUpForm } from "@/components/accounts/sign-up-form";
import { Card, CardBody } from "@/components/ui";
import { getSignedInUser, homePathFor } from "@/lib/accounts/session";

export const metadata: Metadata = { title: "Create account" };

export default async function SignUpPage() {
  const user = await getSignedInUser();
  if (user) redirect(await homePathFor(user.id));
  return (
    <>
      <h1 className="mb-1 text-center text-xl font-semibold tracking-tight">Create your account</h1>
      <p className="mb-6 text-center text-sm text-muted">You will be the owner of a new organization.</p>
      <Card>
        <CardBody className="p-6">
          <SignUpForm />
        </CardBody>
      </Card>
    </>
  );
}
