import { Badge, type BadgeTone } from "@/components/ui";
import type { EmailStatus, EmailTransport } from "@/db/schema/emails";

const TONE: Record<EmailStatus, BadgeTone> = { pending: "warning", sent: "success", failed: "danger", cancelled: "neutral" };

/** Sent / Stored / Retrying / Queued / Failed / Not sent. */
export function EmailStatusBadge({ status, transport, attempts }: { status: EmailStatus; transport: EmailTransport | null; attempts: number }) {
  const label =
    status === "sent"
      ? transport === "stored"
        ? "Stored"
        : "Sent"
      : status === "pending"
        ? attempts > 0
          ? "Retrying"
          : "Queued"
        : status === "failed"
          ? "Failed"
          : "Not sent";
  return (
    <Badge tone={TONE[status]} dot>
      {label}
    </Badge>
  );
}
