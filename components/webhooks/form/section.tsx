import type { ReactNode } from "react";
import { Card, CardBody, CardHeader } from "@/components/ui";

/** One card of the webhook form: a title, a line of description and its fields. */
export function Section({ title, description, children }: { title: string; description?: ReactNode; children: ReactNode }) {
  return (
    <Card>
      <CardHeader title={title} description={description} />
      <CardBody className="space-y-5">{children}</CardBody>
    </Card>
  );
}
