import type { SignatureVerdict } from "@/lib/inbox/types";
import { sentAgo } from "@/lib/inbox/body-view";
import { cn } from "@/components/ui";

const REASON_LABEL: Record<Extract<SignatureVerdict, { status: "invalid" }>["reason"], string> = {
  tampered: "tampered body",
  unknown_secret: "unknown secret",
  timestamp_too_old: "timestamp too old",
  timestamp_too_new: "timestamp too new",
  malformed: "incomplete headers",
};

function Icon({ status }: { status: SignatureVerdict["status"] }) {
  if (status === "verified") {
    return (
      <svg viewBox="0 0 20 20" fill="currentColor" aria-hidden="true" className="size-4 shrink-0">
        <path
          fillRule="evenodd"
          d="M10 1.5 3 4.25v4.9c0 4.2 2.9 8.05 7 9.35 4.1-1.3 7-5.15 7-9.35v-4.9L10 1.5Zm3.7 6.2a.75.75 0 0 0-1.1-1.02L9.1 10.5 7.4 8.8a.75.75 0 1 0-1.06 1.06l2.25 2.25a.75.75 0 0 0 1.08-.02l4.03-4.39Z"
          clipRule="evenodd"
        />
      </svg>
    );
  }
  if (status === "invalid") {
    return (
      <svg viewBox="0 0 20 20" fill="currentColor" aria-hidden="true" className="size-4 shrink-0">
        <path
          fillRule="evenodd"
          d="M8.48 2.9a1.75 1.75 0 0 1 3.04 0l6.26 11.1A1.75 1.75 0 0 1 16.26 16.6H3.74a1.75 1.75 0 0 1-1.52-2.6L8.48 2.9ZM10 6.5a.75.75 0 0 1 .75.75v3.5a.75.75 0 0 1-1.5 0v-3.5A.75.75 0 0 1 10 6.5Zm0 7.75a1 1 0 1 0 0-2 1 1 0 0 0 0 2Z"
          clipRule="evenodd"
        />
      </svg>
    );
  }
  return (
    <svg viewBox="0 0 20 20" fill="currentColor" aria-hidden="true" className="size-4 shrink-0">
      <path fillRule="evenodd" d="M10 18a8 8 0 1 0 0-16 8 8 0 0 0 0 16ZM6.75 9.25a.75.75 0 0 0 0 1.5h6.5a.75.75 0 0 0 0-1.5h-6.5Z" clipRule="evenodd" />
    </svg>
  );
}

/** The "Signature" line of a captured request: verified (by which webhook), invalid (why) or unsigned, and its age. */
export function SignatureLine({ verdict, nowMs, className }: { verdict: SignatureVerdict; nowMs: number; className?: string }) {
  const tone =
    verdict.status === "verified" ? "text-success" : verdict.status === "invalid" ? "text-danger" : "text-muted";
  const timestamp = verdict.status === "unsigned" ? null : verdict.timestamp;
  return (
    <div className={cn("flex flex-wrap items-baseline gap-x-2 gap-y-0.5 text-sm", className)} data-testid="signature-line">
      <span className="text-xs font-medium uppercase tracking-wide text-muted">Signature</span>
      <span className={cn("inline-flex items-center gap-1.5 self-center font-medium", tone)}>
        <Icon status={verdict.status} />
        {verdict.status === "verified" ? (
          <span>Verified — signed by webhook {verdict.webhookName}</span>
        ) : verdict.status === "invalid" ? (
          <span>Invalid signature ({REASON_LABEL[verdict.reason]})</span>
        ) : (
          <span>Unsigned</span>
        )}
      </span>
      {verdict.status === "verified" && verdict.rotatedOut ? (
        <span className="text-muted">with its rotated-out secret (still in its transition period)</span>
      ) : null}
      {timestamp !== null ? (
        <span className="text-muted" suppressHydrationWarning>
          · {sentAgo(timestamp, nowMs)}
        </span>
      ) : null}
      {verdict.status === "invalid" ? <p className="basis-full text-[13px] text-muted">{verdict.message}</p> : null}
      {verdict.status === "unsigned" ? (
        <span className="text-muted">· no webhook-id, webhook-timestamp or webhook-signature headers</span>
      ) : null}
    </div>
  );
}
