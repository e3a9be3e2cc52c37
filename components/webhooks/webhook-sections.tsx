import { Tabs } from "@/components/ui";

/** The tabs shared by a webhook's pages (Overview, Deliveries) and, when it is disabled, why and what is waiting. */
export function WebhookSections({
  orgSlug,
  webhook,
  pending,
}: {
  orgSlug: string;
  webhook: { id: number; enabled: boolean; disabledReason: string | null };
  pending: number;
}) {
  const base = `/orgs/${orgSlug}/webhooks/${webhook.id}`;
  return (
    <>
      <Tabs
        label="Webhook sections"
        items={[
          { href: base, label: "Overview" },
          { href: `${base}/deliveries`, label: "Deliveries", count: pending || undefined },
        ]}
      />
      {!webhook.enabled ? (
        <div className="mb-5 rounded-lg border border-danger/30 bg-danger-soft px-4 py-3 text-sm">
          <p className="font-medium text-danger">This webhook is disabled</p>
          <p className="mt-0.5 text-muted">
            {webhook.disabledReason ?? "No reason recorded."}{" "}
            {pending ? `${pending} deliveries are waiting and resume when it is enabled again.` : ""}
          </p>
        </div>
      ) : null}
    </>
  );
}
