"use client";

import { AuthSection } from "./form/auth-section";
import { DevicesSection } from "./form/devices-section";
import { EndpointSection } from "./form/endpoint-section";
import { RequestSection } from "./form/request-section";
import { SaveSection } from "./form/save-section";
import { useWebhookForm, type PickerDevice, type WebhookFormState } from "./form/use-webhook-form";
import { RequestPreview } from "./request-preview";

export type { PickerDevice, WebhookFormState } from "./form/use-webhook-form";

/**
 * Create / Edit webhook form: the sections of the form (state, validation and submit live in useWebhookForm),
 * and beside it the live Request preview computed by the same request builder as deliveries.
 */
export function WebhookForm({
  orgSlug,
  orgId,
  initial,
  storedAuthType,
  devices,
  allowHttp,
  cancelHref,
}: {
  orgSlug: string;
  orgId: number;
  initial?: Partial<WebhookFormState> | null;
  /** Edit only: the saved auth type (its password/token are kept when left blank). */
  storedAuthType?: WebhookFormState["authType"] | null;
  devices: PickerDevice[];
  allowHttp: boolean;
  cancelHref: string;
}) {
  const form = useWebhookForm({ orgSlug, initial, storedAuthType, allowHttp });
  return (
    <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_minmax(0,26rem)] xl:grid-cols-[minmax(0,1fr)_minmax(0,30rem)]">
      <form action={form.formAction} noValidate onSubmit={form.onSubmit} className="space-y-5">
        <input type="hidden" name="orgSlug" value={orgSlug} />
        <input type="hidden" name="__json" value={JSON.stringify(form.values)} />
        <EndpointSection form={form} />
        <RequestSection form={form} />
        <AuthSection form={form} />
        <DevicesSection form={form} devices={devices} />
        <SaveSection form={form} cancelHref={cancelHref} />
      </form>

      <aside className="lg:sticky lg:top-6 lg:self-start">
        <RequestPreview settings={form.previewSettings} eventType={form.firstEvent} orgId={orgId} />
      </aside>
    </div>
  );
}
