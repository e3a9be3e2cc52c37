import type { Metadata } from "next";
import { ForgotPasswordForm } from "@/components/accounts/password-reset-forms";
import { Card, CardBody } from "@/components/ui";

export const metadata: Metadata = { title: "Forgot password" };

export default function ForgotPasswordPage() {
  return (
    <>
      <h1 className="mb-1 text-center text-xl font-semibold tracking-tight">Forgot your password?</h1>
      <p className="mb-6 text-center text-sm text-muted">We email you a link to choose a new one.</p>
      <Card>
        <CardBody className="p-6">
          <ForgotPasswordForm />
        </CardBody>
      </Card>
    </>
  );
}
