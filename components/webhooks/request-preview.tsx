"use client";

import { useMemo } from "react";
import { catalogEntry, type EventType } from "@/lib/events/catalog";
import { buildEventEnvelope, sampleEvent } from "@/lib/webhooks/envelope";
import { UNSAVED_WEBHOOK_NAME } from "@/lib/webhooks/form-settings";
import { buildWebhookRequest, maskAuth, prettyBody, SIGNATURE_HEADER_NOTES, SIGNATURE_HEADERS } from "@/lib/webhooks/request";
import type { WebhookSettings } from "@/lib/webhooks/types";

/**
 * A fixed sample id, event time and send time (creationTime), so the server render and the browser's first render
 * agree (a send time of "now" differs between the two and breaks hydration: React #418).
 */
const PREVIEW_EVENT_ID = "evt_01KAR3M8Y5TQZ9J6W2N4B7C1DE";
const PREVIEW_TIME = new Date("2026-11-23T10:00:00.000Z");
const PREVIEW_SENT_AT = new Date("2026-11-23T10:00:05.120Z");

/**
 * "Request preview": the exact request Signalpost would send for a sample event of `eventType`, built by the same
 * buildWebhookRequest as deliveries. Credentials are masked; signature headers are computed when sending.
 * `portalBase` is the server's portalBaseUrl() (the `deviceUrl` base deliveries use), handed down by the page.
 */
export function RequestPreview({
  settings,
  eventType,
  orgId,
  portalBase,
}: {
  settings: WebhookSettings;
  eventType: EventType;
  orgId: number;
  portalBase: string;
}) {
  const preview = useMemo(() => {
    try {
      const event = sampleEvent(eventType, orgId, PREVIEW_TIME, PREVIEW_EVENT_ID);
      const envelope = buildEventEnvelope(event, { id: settings.id, name: settings.name || UNSAVED_WEBHOOK_NAME }, PREVIEW_SENT_AT);
      const built = maskAuth(buildWebhookRequest(settings, envelope, { portalBase }));
      return { built, error: null };
    } catch (err) {
      return { built: null, error: err instanceof Error ? err.message.split("\n")[0] : String(err) };
    }
  }, [settings, eventType, orgId, portalBase]);

  return (
    <section aria-labelledby="request-preview-title" className="rounded-lg border border-line bg-surface shadow-sm">
      <div className="flex items-baseline justify-between gap-3 border-b border-line px-4 py-3">
        <h2 id="request-preview-title" className="text-[15px] font-semibold">
          Request preview
        </h2>
        <span className="text-xs text-muted">
          Sample <span className="font-medium text-fg">{catalogEntry(eventType)?.description ?? eventType}</span> event
        </span>
      </div>
      <div data-testid="request-preview" className="space-y-3 px-4 py-3 font-mono text-xs">
        {preview.error || !preview.built ? (
          <p className="font-sans text-sm text-danger">Cannot build the request: {preview.error}</p>
        ) : (
          <>
            <p className="break-all">
              <span className="mr-2 rounded bg-accent-soft px-1.5 py-0.5 font-semibold text-accent">{preview.built.method}</span>
              <span data-testid="preview-url">{preview.built.url || "(enter a URL)"}</span>
            </p>
            <dl data-testid="preview-headers" className="space-y-0.5 border-t border-line pt-2">
              {Object.entries(preview.built.headers).map(([name, value]) => (
                <div key={name} className="flex gap-1 break-all">
                  <dt className="shrink-0 text-muted">{name}:</dt>
                  <dd>{value}</dd>
                </div>
              ))}
              {SIGNATURE_HEADERS.map((name) => (
                <div key={name} className="flex gap-1">
                  <dt className="shrink-0 text-muted">{name}:</dt>
                  {name === "webhook-id" ? <dd>{PREVIEW_EVENT_ID}</dd> : <dd className="italic text-muted">{SIGNATURE_HEADER_NOTES[name]}</dd>}
                </div>
              ))}
            </dl>
            <pre tabIndex={0} data-testid="preview-body" className="max-h-[28rem] overflow-auto whitespace-pre-wrap break-all rounded-md bg-subtle p-3 leading-relaxed">
              {prettyBody(preview.built) || "(empty body)"}
            </pre>
          </>
        )}
      </div>
    </section>
  );
}
