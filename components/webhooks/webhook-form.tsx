"use client";

import { useState } from "react";
import { cn } from "@/components/ui";
import { AuthSection } from "./form/auth-section";
import { DevicesSection } from "./form/devices-section";
import { EndpointSection } from "./form/endpoint-section";
import { PresetSection } from "./form/preset-section";
import { FORM_ID } from "./form/fields";
import { RequestSection } from "./form/request-section";
import { SaveSection } from "./form/save-section";
import { useWebhookForm, type PickerDevice, type WebhookFormState } from "./form/use-webhook-form";
import { RequestPreview } from "./request-preview";

export type { PickerDevice, WebhookFormState } from "./form/use-webhook-form";

const TABS = [
  { id: "form", label: "Form" },
  { id: "preview", label: "Preview" },
] as const;

/**
 * Create / Edit webhook form: the sections of the form (state, validation and Save live in useWebhookForm), and
 * beside it the live Request preview computed by the same request builder as deliveries. Below the lg breakpoint
 * the two are Form / Preview tabs (the form stays mounted while the preview shows).
 */
export function WebhookForm({
  orgSlug,
  orgId,
  initial,
  storedAuthType,
  devices,
  allowHttp,
  cancelHref,
  portalBase,
}: {
  orgSlug: string;
  orgId: number;
  initial?: Partial<WebhookFormState> | null;
  /** Edit only: the saved auth type (its password/token are kept when left blank). */
  storedAuthType?: WebhookFormState["authType"] | null;
  devices: PickerDevice[];
  allowHttp: boolean;
  cancelHref: string;
  /** The portal's base URL on the server (portalBaseUrl()): the preview's `deviceUrl`, as deliveries send it. */
  portalBase: string;
}) {
  const form = useWebhookForm({ orgSlug, initial, storedAuthType, allowHttp });
  const [tab, setTab] = useState<(typeof TABS)[number]["id"]>("form");
  return (
    <div>
      <div role="tablist" aria-label="Webhook form" className="mb-4 flex border-b border-line lg:hidden">
        {TABS.map((t, i) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            id={`webhook-tab-${t.id}`}
            aria-controls={`webhook-panel-${t.id}`}
            aria-selected={tab === t.id}
            tabIndex={tab === t.id ? 0 : -1}
            onClick={() => setTab(t.id)}
            onKeyDown={(e) => {
              if (e.key !== "ArrowRight" && e.key !== "ArrowLeft") return;
              const next = TABS[(i + 1) % TABS.length];
              setTab(next.id);
              document.getElementById(`webhook-tab-${next.id}`)?.focus();
            }}
            className={cn(
              "-mb-px flex-1 border-b-2 px-3 pb-2.5 pt-1 text-sm font-medium transition-colors",
              tab === t.id ? "border-accent text-fg" : "border-transparent text-muted hover:text-fg",
            )}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_minmax(0,26rem)] xl:grid-cols-[minmax(0,1fr)_minmax(0,30rem)]">
        <div id="webhook-panel-form" role="tabpanel" aria-labelledby="webhook-tab-form" className={cn("min-w-0 lg:block", tab !== "form" && "hidden")}>
          <form id={FORM_ID} noValidate onSubmit={form.onSubmit} className="space-y-5">
            {form.editing ? null : <PresetSection form={form} />}
            <EndpointSection form={form} />
            <RequestSection form={form} />
            <AuthSection form={form} />
            <DevicesSection form={form} devices={devices} />
            <SaveSection form={form} cancelHref={cancelHref} />
          </form>
        </div>
        <aside
          id="webhook-panel-preview"
          role="tabpanel"
          aria-labelledby="webhook-tab-preview"
          className={cn("min-w-0 lg:sticky lg:top-6 lg:block lg:self-start", tab !== "preview" && "hidden")}
        >
          <RequestPreview settings={form.previewSettings} eventType={form.firstEvent} orgId={orgId} portalBase={portalBase} />
        </aside>
      </div>
    </div>
  );
}
