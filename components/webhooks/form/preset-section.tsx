"use client";

import { useState } from "react";
import { Field, Select } from "@/components/ui";
import { presetById, WEBHOOK_PRESETS } from "@/lib/webhooks/presets";
import { Section } from "./section";
import type { WebhookFormApi } from "./use-webhook-form";

/**
 * Create Webhook → Start from: fills the request fields and events from an integration preset (lib/webhooks/presets.ts).
 * Everything stays editable; the preview on the side shows the result.
 */
export function PresetSection({ form }: { form: WebhookFormApi }) {
  const [chosen, setChosen] = useState("generic");
  const preset = presetById(chosen);
  const apply = (id: string) => {
    const p = presetById(id);
    setChosen(id);
    if (!p) return;
    form.update("format", p.format);
    form.update("method", p.method);
    form.update("contentType", p.contentType);
    form.update("bodyTemplate", p.bodyTemplate);
    form.update("headers", p.headers.map((h) => ({ ...h })));
    form.update("events", [...p.events]);
  };
  return (
    <Section title="Start from" description="An integration preset fills the request for you; every field stays editable.">
      <Field label="Start from" hint={preset ? `${preset.hint} URL like ${preset.urlPlaceholder}` : undefined}>
        <Select value={chosen} onChange={(e) => apply(e.target.value)}>
          {WEBHOOK_PRESETS.map((p) => (
            <option key={p.id} value={p.id}>
              {p.label}
            </option>
          ))}
        </Select>
      </Field>
    </Section>
  );
}
