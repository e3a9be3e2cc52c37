"use client";

import { UseInboxPicker } from "@/components/inbox/use-inbox-picker";
import { cn, Field, Input, Switch, Textarea } from "@/components/ui";
import { DESCRIPTION_MAX, NAME_MAX, URL_MAX } from "@/lib/validation/webhooks";
import { EVENT_CATALOG } from "@/lib/events/catalog";
import { fieldId } from "./fields";
import { Section } from "./section";
import type { WebhookFormApi } from "./use-webhook-form";

const SUBSCRIBABLE = EVENT_CATALOG.filter((e) => e.subscribable);

/** Endpoint: name, URL (with "Use an inbox"), description and the events the webhook receives. */
export function EndpointSection({ form }: { form: WebhookFormApi }) {
  const { values, update, errorFor, allowHttp, orgSlug } = form;
  const eventsError = errorFor("events");
  return (
    <Section title="Endpoint" description="Where Signalpost sends events, and which ones.">
      <Field id={fieldId("name")} label="Webhook Name" required error={errorFor("name")} aside={`${values.name.length}/${NAME_MAX}`}>
        <Input value={values.name} onChange={(e) => update("name", e.target.value)} maxLength={NAME_MAX + 20} autoComplete="off" placeholder="e.g. Ops alerts" />
      </Field>
      <Field
        id={fieldId("url")}
        label="URL"
        required
        error={errorFor("url")}
        hint={allowHttp ? "https:// (http:// and private addresses are allowed on this server)." : "Must be https://."}
      >
        {(control) => (
          // on a phone the picker goes under the field, so the URL keeps the full width
          <div className="flex flex-col gap-2 sm:flex-row sm:items-start">
            <Input
              {...control}
              type="url"
              value={values.url}
              onChange={(e) => update("url", e.target.value)}
              maxLength={URL_MAX + 20}
              placeholder="https://example.com/webhooks/signalpost"
              className="font-mono text-[13px]"
              spellCheck={false}
            />
            <UseInboxPicker orgSlug={orgSlug} onPick={(url) => update("url", url)} />
          </div>
        )}
      </Field>
      <Field id={fieldId("description")} label="Description" error={errorFor("description")} aside={`${values.description.length}/${DESCRIPTION_MAX}`}>
        <Textarea rows={2} value={values.description} onChange={(e) => update("description", e.target.value)} placeholder="Optional: what this webhook is for" />
      </Field>
      {/* the legend is the fieldset's first child, so it names the group; floated, "Select all" can sit beside it */}
      <fieldset
        id={fieldId("events")}
        data-invalid={eventsError?.length ? true : undefined}
        aria-describedby={eventsError?.length ? "events-error" : undefined}
      >
        <legend className="float-left mb-1.5 text-sm font-medium text-fg">
          Events<span className="ml-0.5 text-danger" aria-hidden="true">*</span>
        </legend>
        <button
          type="button"
          className="float-right mt-0.5 text-xs font-medium text-accent hover:underline"
          onClick={() => update("events", values.events.length === SUBSCRIBABLE.length ? [] : SUBSCRIBABLE.map((e) => e.type))}
        >
          {values.events.length === SUBSCRIBABLE.length ? "Clear all" : "Select all"}
        </button>
        <div className="clear-both grid gap-1.5 sm:grid-cols-2 2xl:grid-cols-3">
          {SUBSCRIBABLE.map((e) => {
            const on = values.events.includes(e.type);
            return (
              <label
                key={e.type}
                className={cn(
                  "flex cursor-pointer items-start gap-2.5 rounded-md border px-3 py-2 text-sm transition-colors",
                  on ? "border-accent bg-accent-soft" : "border-line hover:bg-subtle",
                )}
              >
                <Switch
                  aria-label={e.description}
                  checked={on}
                  onChange={() => update("events", on ? values.events.filter((t) => t !== e.type) : [...values.events, e.type])}
                  className="mt-0.5"
                />
                <span className="min-w-0">
                  <span className="block font-medium leading-5">{e.description}</span>
                  <span className="block break-all font-mono text-[11px] text-muted">{e.type}</span>
                </span>
              </label>
            );
          })}
        </div>
        {eventsError?.length ? (
          <p id="events-error" className="mt-1 text-[13px] text-danger">
            {eventsError[0]}
          </p>
        ) : null}
      </fieldset>
    </Section>
  );
}
