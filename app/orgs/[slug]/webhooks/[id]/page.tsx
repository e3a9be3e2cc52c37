import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import type { ReactNode } from "react";
import { Badge, ButtonLink, Card, CardBody, CardHeader, inTextLinkClass, PageHeader, Timestamp } from "@/components/ui";
import { WebhookSections } from "@/components/webhooks/webhook-sections";
import { WebhookDeliveryHealth } from "@/components/deliveries/health";
import { SecretPanel, TestEventPanel, WebhookAdminButtons } from "@/components/webhooks/webhook-controls";
import { WebhookStatus } from "@/components/webhooks/webhook-status";
import { getDb } from "@/db/client";
import { requireOrgPage } from "@/lib/auth/page";
import { SUBSCRIBABLE_EVENT_TYPES, type EventType } from "@/lib/events/catalog";
import { describeEvents, devicesForPicker, findWebhook, pendingDeliveries, rotationEndsAt } from "@/lib/webhooks/manage";

export const metadata: Metadata = { title: "Webhook" };

const FORMAT_LABELS = { json: "JSON", form: "Form (x-www-form-urlencoded)", custom: "Custom body" } as const;
const AUTH_LABELS = { none: "None", basic: "Basic", bearer: "Bearer token" } as const;

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="grid gap-1 py-2.5 sm:grid-cols-[11rem_minmax(0,1fr)]">
      <dt className="text-sm text-muted">{label}</dt>
      <dd className="min-w-0 text-sm">{children}</dd>
    </div>
  );
}

/** /orgs/{slug}/webhooks/{id} — settings summary, signing secret, test events and admin actions. */
export default async function WebhookPage({ params }: { params: Promise<{ slug: string; id: string }> }) {
  const { slug, id } = await params;
  const ctx = await requireOrgPage(slug);
  const db = await getDb();
  const row = await findWebhook(db, ctx.orgId, Number(id));
  if (!row) notFound();
  const canEdit = ctx.can("org_setting.modify");
  const base = `/orgs/${ctx.orgSlug}/webhooks`;
  const [pending, rotationEnd, devices] = await Promise.all([
    pendingDeliveries(db, ctx.orgId, row.id),
    canEdit ? rotationEndsAt(db, ctx.orgId, row.id) : Promise.resolve(null),
    row.deviceScope === "selected" ? devicesForPicker(db, ctx.orgId) : Promise.resolve([]),
  ]);
  const firstEvent = (SUBSCRIBABLE_EVENT_TYPES.find((t) => row.events.includes(t)) ?? "webhook.test") as EventType;
  const selectedDevices = devices.filter((d) => row.deviceIds.includes(d.id));

  return (
    <>
      <PageHeader
        breadcrumb={[{ label: "Webhooks", href: base }, { label: row.name }]}
        title={row.name}
        status={<WebhookStatus enabled={row.enabled} reason={null} />}
        description={row.description || undefined}
        actions={
          canEdit ? (
            <>
              <ButtonLink href={`${base}/${row.id}/edit`}>Edit</ButtonLink>
              <WebhookAdminButtons orgSlug={ctx.orgSlug} id={row.id} name={row.name} enabled={row.enabled} />
            </>
          ) : null
        }
      />
      <WebhookSections orgSlug={ctx.orgSlug} webhook={row} pending={pending} />

      <div className="grid items-start gap-6 xl:grid-cols-[minmax(0,1fr)_minmax(0,28rem)]">
        <Card>
          <CardHeader title="Settings" />
          <CardBody>
            <dl className="divide-y divide-line">
              <Row label="URL">
                <code className="break-all font-mono text-[13px]">{row.url}</code>
              </Row>
              <Row label="Events">
                <span className="flex flex-wrap gap-1">
                  {describeEvents(row.events).map((d) => (
                    <Badge key={d}>{d}</Badge>
                  ))}
                </span>
              </Row>
              <Row label="Method">{row.method}</Row>
              <Row label="Request format">
                {FORMAT_LABELS[row.format]}
                {row.format === "custom" ? <span className="text-muted"> · {row.contentType}</span> : null}
              </Row>
              {row.format === "custom" ? (
                <Row label="Body template">
                  <pre tabIndex={0} className="max-h-48 overflow-auto whitespace-pre-wrap break-all rounded bg-subtle p-2 font-mono text-xs">{row.bodyTemplate}</pre>
                </Row>
              ) : null}
              <Row label="Headers">
                {row.headers.length ? (
                  <ul className="space-y-0.5 font-mono text-xs">
                    {row.headers.map((h) => (
                      <li key={h.name} className="break-all">
                        <span className="text-muted">{h.name}:</span> {h.secret ? <span className="text-muted">•••••• (secret)</span> : h.value}
                      </li>
                    ))}
                  </ul>
                ) : (
                  <span className="text-muted">None besides the pre-filled ones</span>
                )}
              </Row>
              <Row label="Query parameters">
                {row.queryParams.length ? (
                  <ul className="space-y-0.5 font-mono text-xs">
                    {row.queryParams.map((q, i) => (
                      <li key={`${q.name}-${i}`} className="break-all">
                        {q.name}={q.secret ? <span className="text-muted">•••••• (secret)</span> : q.value}
                      </li>
                    ))}
                  </ul>
                ) : (
                  <span className="text-muted">None</span>
                )}
              </Row>
              <Row label="Authentication">
                {AUTH_LABELS[row.authType]}
                {row.authType !== "none" ? <span className="text-muted"> · credentials set (stored encrypted)</span> : null}
              </Row>
              <Row label="Devices">
                {row.deviceScope === "all"
                  ? "All devices"
                  : row.deviceScope === "tags"
                    ? `Devices with tags: ${row.deviceTags.join(", ")}`
                    : `Selected devices: ${selectedDevices.map((d) => d.name).join(", ") || "none left"}`}
              </Row>
              {row.consecutiveFailures > 0 ? (
                <Row label="Failure streak">
                  <span className="text-warning">
                    {row.consecutiveFailures} failed deliveries in a row
                    {row.failingSince ? (
                      <>
                        {" "}
                        since <Timestamp value={row.failingSince} mode="absolute" />
                      </>
                    ) : (
                      ""
                    )}
                  </span>
                </Row>
              ) : null}
            </dl>
          </CardBody>
        </Card>

        <div className="space-y-6">
          <Card>
            <CardHeader
              title="Delivery health"
              description={
                <>
                  Last 24 hours, by hour.{" "}
                  <Link href={`/orgs/${ctx.orgSlug}/webhooks/${row.id}/deliveries`} className={inTextLinkClass}>
                    See deliveries
                  </Link>
                </>
              }
            />
            <CardBody>
              <WebhookDeliveryHealth
                orgId={ctx.orgId}
                webhookId={row.id}
                emptyAction={
                  canEdit ? (
                    <a href="#send-test-event" className="font-medium text-accent underline underline-offset-2 hover:text-accent-hover">
                      send a test event
                    </a>
                  ) : (
                    "deliveries appear here when a subscribed event happens."
                  )
                }
              />
            </CardBody>
          </Card>
          {canEdit ? (
            <Card>
              <CardHeader
                title="Signing secret"
                description={
                  <>
                    Verify <code>webhook-signature</code> with this secret (Standard Webhooks).
                  </>
                }
              />
              <CardBody>
                <SecretPanel orgSlug={ctx.orgSlug} id={row.id} name={row.name} previousExpiresAt={rotationEnd?.toISOString() ?? null} />
              </CardBody>
            </Card>
          ) : (
            <Card>
              <CardBody>
                <p className="text-sm text-muted">Only owners and admins can see the signing secret, send test events or change this webhook.</p>
              </CardBody>
            </Card>
          )}
          {canEdit ? (
            <Card id="send-test-event" className="scroll-mt-6">
              <CardHeader title="Send test event" description="A sample event through the real sending path, signed with this webhook's secret." />
              <CardBody>
                <TestEventPanel orgSlug={ctx.orgSlug} id={row.id} defaultType={firstEvent} />
              </CardBody>
            </Card>
          ) : null}
        </div>
      </div>
    </>
  );
}
