"use client";

import { UseInboxPicker } from "@/components/inbox/use-inbox-picker";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useActionState, useMemo, useState, useTransition, type ReactNode } from "react";
import { z } from "zod";
import { Button, ButtonLink, Card, CardBody, CardHeader, Checkbox, cn, Field, FormMessage, Input, Select, SubmitButton, Textarea } from "@/components/ui";
import type { NameValue } from "@/db/schema/webhooks";
import { createWebhookAction, sendTestEventAction, updateWebhookAction } from "@/lib/actions/webhooks";
import type { ActionState } from "@/lib/actions/safe-action";
import {
  DESCRIPTION_MAX,
  NAME_MAX,
  URL_MAX,
  webhookFormSchema,
  type WEBHOOK_AUTH_TYPES,
  type WEBHOOK_DEVICE_SCOPES,
  type WEBHOOK_FORMATS,
  type WEBHOOK_METHODS,
} from "@/lib/validation/webhooks";
import { EVENT_CATALOG, EVENT_TYPES, SUBSCRIBABLE_EVENT_TYPES, type EventType } from "@/lib/events/catalog";
import { MAX_HEADERS, MAX_QUERY_PARAMS } from "@/lib/webhooks/http-rules";
import { DEFAULT_CUSTOM_CONTENT_TYPE, USER_AGENT } from "@/lib/webhooks/request";
import type { TestEventResult } from "@/lib/delivery/test-event";
import type { WebhookSettings } from "@/lib/webhooks/types";
import { NameValueEditor } from "./name-value-editor";
import { RequestPreview } from "./request-preview";
import { TestResult } from "./test-result";

export type WebhookFormState = {
  id?: number;
  name: string;
  url: string;
  description: string;
  events: string[];
  method: (typeof WEBHOOK_METHODS)[number];
  format: (typeof WEBHOOK_FORMATS)[number];
  bodyTemplate: string;
  contentType: string;
  headers: NameValue[];
  queryParams: NameValue[];
  authType: (typeof WEBHOOK_AUTH_TYPES)[number];
  authUsername: string;
  authPassword: string;
  authToken: string;
  deviceScope: (typeof WEBHOOK_DEVICE_SCOPES)[number];
  deviceIds: number[];
  deviceTags: string[];
  skipEndpointCheck: boolean;
};

export type PickerDevice = { id: number; udid: string; name: string; tags: string[] };

const EMPTY: WebhookFormState = {
  name: "",
  url: "",
  description: "",
  events: [],
  method: "POST",
  format: "json",
  bodyTemplate: '{\n  "device": "{{deviceUdid}}",\n  "name": "{{deviceName}}",\n  "event": "{{eventActivity}}",\n  "status": "{{data.status}}"\n}',
  contentType: DEFAULT_CUSTOM_CONTENT_TYPE,
  headers: [],
  queryParams: [],
  authType: "none",
  authUsername: "",
  authPassword: "",
  authToken: "",
  deviceScope: "all",
  deviceIds: [],
  deviceTags: [],
  skipEndpointCheck: false,
};

const CONTENT_TYPES = ["application/json", "application/x-www-form-urlencoded", "text/plain", "application/xml"];
const SUBSCRIBABLE = EVENT_CATALOG.filter((e) => e.subscribable);

type FieldErrors = Record<string, string[] | undefined>;

function RadioGroup<T extends string>({
  legend,
  name,
  value,
  options,
  onChange,
  error,
  hideLegend = false,
}: {
  legend: string;
  hideLegend?: boolean;
  name: string;
  value: T;
  options: { value: T; label: string; hint?: string }[];
  onChange: (v: T) => void;
  error?: string[];
}) {
  return (
    <fieldset>
      <legend className={cn("mb-1.5 text-sm font-medium text-fg", hideLegend && "sr-only")}>{legend}</legend>
      <div className="flex flex-wrap gap-2">
        {options.map((o) => (
          <label
            key={o.value}
            className={cn(
              "flex cursor-pointer items-center gap-2 rounded-md border px-3 py-1.5 text-sm transition-colors",
              value === o.value ? "border-accent bg-accent-soft text-fg" : "border-line-strong bg-surface text-muted hover:bg-subtle",
            )}
          >
            <input
              type="radio"
              name={name}
              value={o.value}
              checked={value === o.value}
              onChange={() => onChange(o.value)}
              className="accent-[var(--sp-accent)]"
            />
            {o.label}
          </label>
        ))}
      </div>
      {error?.length ? <p className="mt-1 text-[13px] text-danger">{error[0]}</p> : null}
    </fieldset>
  );
}

function Section({ title, description, children }: { title: string; description?: ReactNode; children: ReactNode }) {
  return (
    <Card>
      <CardHeader title={title} description={description} />
      <CardBody className="space-y-5">{children}</CardBody>
    </Card>
  );
}

/**
 * Create / Edit webhook form. Controlled state, checked with the same zod schema as the server on every change
 * (errors show once a field was touched or after Save), submitted as one JSON field to the server action.
 * Beside it, the live Request preview computed by the same request builder as deliveries.
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
  const router = useRouter();
  const editing = Boolean(initial?.id);
  const [values, setValues] = useState<WebhookFormState>(() => ({
    ...EMPTY,
    ...initial,
    bodyTemplate: initial?.bodyTemplate || EMPTY.bodyTemplate,
    contentType: initial?.contentType || EMPTY.contentType,
    authPassword: "",
    authToken: "",
  }));
  const [touched, setTouched] = useState<Set<string>>(() => new Set());
  const [submitted, setSubmitted] = useState(false);
  const [serverErrors, setServerErrors] = useState<FieldErrors>({});
  const [deviceFilter, setDeviceFilter] = useState("");
  const [tagsText, setTagsText] = useState(() => (initial?.deviceTags ?? []).join(", "));

  const schema = useMemo(() => webhookFormSchema({ allowHttp, storedAuthType: storedAuthType ?? null }), [allowHttp, storedAuthType]);
  const clientErrors = useMemo<FieldErrors>(() => {
    const parsed = schema.safeParse({ ...values, orgSlug });
    return parsed.success ? {} : (z.flattenError(parsed.error).fieldErrors as FieldErrors);
  }, [schema, values, orgSlug]);

  const action = editing ? updateWebhookAction : createWebhookAction;
  const [state, formAction] = useActionState(async (prev: ActionState<{ id: number }>, fd: FormData) => {
    const result = (await action(prev, fd)) as ActionState<{ id: number }>;
    if (result?.ok && result.data?.id) {
      router.push(`/orgs/${orgSlug}/webhooks/${result.data.id}`);
      router.refresh();
    } else {
      setServerErrors(result?.errors ?? {});
    }
    return result;
  }, null);

  const update = <K extends keyof WebhookFormState>(key: K, value: WebhookFormState[K]) => {
    setValues((v) => ({ ...v, [key]: value }));
    setTouched((t) => (t.has(key) ? t : new Set(t).add(key)));
    setServerErrors((e) => (e[key] ? { ...e, [key]: undefined } : e));
  };
  const errorFor = (key: string): string[] | undefined => serverErrors[key] ?? (submitted || touched.has(key) ? clientErrors[key] : undefined);

  const firstEvent = (SUBSCRIBABLE_EVENT_TYPES.find((t) => values.events.includes(t)) ?? "webhook.test") as EventType;
  const previewSettings = useMemo<WebhookSettings>(
    () => ({
      id: values.id ?? null,
      name: values.name,
      url: values.url,
      method: values.method,
      format: values.format,
      bodyTemplate: values.format === "custom" ? values.bodyTemplate : null,
      contentType: values.format === "custom" ? values.contentType : null,
      headers: values.headers.filter((h) => h.name),
      queryParams: values.queryParams.filter((q) => q.name),
      auth:
        values.authType === "basic"
          ? { type: "basic", username: values.authUsername, password: values.authPassword || "kept" }
          : values.authType === "bearer"
            ? { type: "bearer", token: values.authToken || "kept" }
            : { type: "none" },
    }),
    [values],
  );

  // Send test event (from the form as typed)
  const [testType, setTestType] = useState<EventType | "">("");
  const [testing, startTest] = useTransition();
  const [test, setTest] = useState<{ result?: TestEventResult; message?: string } | null>(null);
  const sendTest = () =>
    startTest(async () => {
      setTest(null);
      const { authPassword, authToken, ...rest } = values;
      const result = (await sendTestEventAction(null, {
        ...rest,
        authPassword,
        authToken,
        orgSlug,
        eventType: testType || firstEvent,
      })) as ActionState<TestEventResult>;
      if (result?.errors) {
        setServerErrors(result.errors);
        setSubmitted(true);
      }
      setTest({ result: result?.data, message: result?.message });
    });

  const prefilled: NameValue[] = [
    {
      name: "content-type",
      value:
        values.format === "json" ? "application/json" : values.format === "form" ? "application/x-www-form-urlencoded" : values.contentType || DEFAULT_CUSTOM_CONTENT_TYPE,
    },
    { name: "user-agent", value: USER_AGENT },
    { name: "webhook-id", value: "event id (same on every retry)" },
    { name: "webhook-timestamp", value: "computed at send time" },
    { name: "webhook-signature", value: "computed at send time" },
  ];

  const shownDevices = devices.filter((d) => {
    const q = deviceFilter.trim().toLowerCase();
    return !q || d.name.toLowerCase().includes(q) || d.udid.toLowerCase().includes(q) || d.tags.some((t) => t.toLowerCase().includes(q));
  });
  const keepHint = (type: WebhookFormState["authType"]) => (editing && storedAuthType === type ? "set — leave blank to keep" : undefined);

  return (
    <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_minmax(0,26rem)] xl:grid-cols-[minmax(0,1fr)_minmax(0,30rem)]">
      <form
        action={formAction}
        noValidate
        onSubmit={(e) => {
          setSubmitted(true);
          if (Object.values(clientErrors).some((m) => m?.length)) {
            e.preventDefault();
            const first = document.querySelector<HTMLElement>("[aria-invalid=true]");
            first?.focus();
          }
        }}
        className="space-y-5"
      >
        <input type="hidden" name="orgSlug" value={orgSlug} />
        <input type="hidden" name="__json" value={JSON.stringify(values)} />

        <Section title="Endpoint" description="Where Signalpost sends events, and which ones.">
          <Field label="Webhook Name" required error={errorFor("name")} aside={`${values.name.length}/${NAME_MAX}`}>
            <Input value={values.name} onChange={(e) => update("name", e.target.value)} maxLength={NAME_MAX + 20} autoComplete="off" placeholder="e.g. Ops alerts" />
          </Field>
          <Field
            label="URL"
            required
            error={errorFor("url")}
            hint={allowHttp ? "https:// (http:// and private addresses are allowed on this server)." : "Must be https://."}
          >
            {(control) => (
              <div className="flex items-start gap-2">
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
          <Field label="Description" error={errorFor("description")} aside={`${values.description.length}/${DESCRIPTION_MAX}`}>
            <Textarea rows={2} value={values.description} onChange={(e) => update("description", e.target.value)} placeholder="Optional: what this webhook is for" />
          </Field>
          <fieldset aria-describedby={errorFor("events")?.length ? "events-error" : undefined}>
            <div className="mb-1.5 flex items-baseline justify-between">
              <legend className="text-sm font-medium text-fg">
                Events<span className="ml-0.5 text-danger" aria-hidden="true">*</span>
              </legend>
              <button
                type="button"
                className="text-xs font-medium text-accent hover:underline"
                onClick={() => update("events", values.events.length === SUBSCRIBABLE.length ? [] : SUBSCRIBABLE.map((e) => e.type))}
              >
                {values.events.length === SUBSCRIBABLE.length ? "Clear all" : "Select all"}
              </button>
            </div>
            <div className="grid gap-1.5 sm:grid-cols-2 2xl:grid-cols-3">
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
                    <input
                      type="checkbox"
                      role="switch"
                      aria-label={e.description}
                      aria-checked={on}
                      checked={on}
                      onChange={() => update("events", on ? values.events.filter((t) => t !== e.type) : [...values.events, e.type])}
                      className="mt-0.5 size-4 shrink-0 accent-[var(--sp-accent)]"
                    />
                    <span className="min-w-0">
                      <span className="block font-medium leading-5">{e.description}</span>
                      <span className="block truncate font-mono text-[11px] text-muted">{e.type}</span>
                    </span>
                  </label>
                );
              })}
            </div>
            {errorFor("events")?.length ? (
              <p id="events-error" className="mt-1 text-[13px] text-danger">
                {errorFor("events")![0]}
              </p>
            ) : null}
          </fieldset>
        </Section>

        <Section title="Request" description="How each event is sent. The preview shows the exact result.">
          <div className="flex flex-wrap gap-x-6 gap-y-5">
            <Field label="Method" error={errorFor("method")} className="w-36">
              <Select value={values.method} onChange={(e) => update("method", e.target.value as WebhookFormState["method"])}>
                <option value="POST">POST</option>
                <option value="PUT">PUT</option>
                <option value="PATCH">PATCH</option>
              </Select>
            </Field>
            <RadioGroup
              legend="Request format"
              name="format"
              value={values.format}
              onChange={(v) => update("format", v)}
              options={[
                { value: "json", label: "JSON" },
                { value: "form", label: "Form" },
                { value: "custom", label: "Custom body" },
              ]}
              error={errorFor("format")}
            />
          </div>
          {values.format === "custom" ? (
            <div className="space-y-4 rounded-md border border-line bg-canvas p-4">
              <Field
                label="Body template"
                error={errorFor("bodyTemplate")}
                hint={
                  <>
                    Mustache: <code>{"{{deviceUdid}}"}</code>, <code>{"{{data.status}}"}</code>, <code>{"{{{json}}}"}</code> (the whole JSON body). Values are
                    escaped for the content type.
                  </>
                }
              >
                <Textarea rows={8} value={values.bodyTemplate} onChange={(e) => update("bodyTemplate", e.target.value)} className="font-mono text-xs" spellCheck={false} />
              </Field>
              <Field label="Content type" error={errorFor("contentType")}>
                <Input list="webhook-content-types" value={values.contentType} onChange={(e) => update("contentType", e.target.value)} className="font-mono text-[13px]" />
              </Field>
              <datalist id="webhook-content-types">
                {CONTENT_TYPES.map((c) => (
                  <option key={c} value={c} />
                ))}
              </datalist>
            </div>
          ) : null}
          <NameValueEditor
            legend="Headers"
            noun="header"
            rows={values.headers}
            onChange={(rows) => update("headers", rows)}
            max={MAX_HEADERS}
            namePlaceholder="X-Api-Key"
            valuePlaceholder="value or {{template}}"
            error={errorFor("headers")}
            readOnlyRows={prefilled}
            hint="Pre-filled headers are set by Signalpost and cannot be overridden."
          />
          <NameValueEditor
            legend="Query parameters"
            noun="query parameter"
            rows={values.queryParams}
            onChange={(rows) => update("queryParams", rows)}
            max={MAX_QUERY_PARAMS}
            namePlaceholder="source"
            valuePlaceholder="value or {{template}}"
            error={errorFor("queryParams")}
          />
        </Section>

        <Section title="Authentication" description="Stored encrypted and never shown again after saving.">
          <RadioGroup
            legend="Authentication"
            hideLegend
            name="authType"
            value={values.authType}
            onChange={(v) => update("authType", v)}
            options={[
              { value: "none", label: "None" },
              { value: "basic", label: "Basic" },
              { value: "bearer", label: "Bearer" },
            ]}
          />
          {values.authType === "basic" ? (
            <div className="grid gap-4 sm:grid-cols-2">
              <Field label="Username" error={errorFor("authUsername")}>
                <Input value={values.authUsername} onChange={(e) => update("authUsername", e.target.value)} autoComplete="off" />
              </Field>
              <Field label="Password" error={errorFor("authPassword")} hint={keepHint("basic")}>
                <Input
                  type="password"
                  value={values.authPassword}
                  onChange={(e) => update("authPassword", e.target.value)}
                  autoComplete="new-password"
                  placeholder={keepHint("basic") ? "••••••••" : undefined}
                />
              </Field>
            </div>
          ) : null}
          {values.authType === "bearer" ? (
            <Field label="Token" error={errorFor("authToken")} hint={keepHint("bearer")}>
              <Input
                type="password"
                value={values.authToken}
                onChange={(e) => update("authToken", e.target.value)}
                autoComplete="off"
                placeholder={keepHint("bearer") ? "••••••••" : undefined}
                className="font-mono text-[13px]"
              />
            </Field>
          ) : null}
        </Section>

        <Section title="Devices" description="Which devices' events this webhook receives.">
          <RadioGroup
            legend="Devices"
            hideLegend
            name="deviceScope"
            value={values.deviceScope}
            onChange={(v) => update("deviceScope", v)}
            options={[
              { value: "all", label: "All devices" },
              { value: "selected", label: "Selected devices" },
              { value: "tags", label: "Devices with tags" },
            ]}
          />
          {values.deviceScope === "selected" ? (
            <fieldset className="space-y-2">
              <legend className="sr-only">Pick devices</legend>
              {devices.length === 0 ? (
                <p className="text-sm text-muted">
                  This organization has no devices yet. <Link href={`/orgs/${orgSlug}/devices`} className="text-accent hover:underline">Add devices</Link> first.
                </p>
              ) : (
                <>
                  <Input value={deviceFilter} onChange={(e) => setDeviceFilter(e.target.value)} placeholder="Filter by name, UDID or tag" aria-label="Filter devices" />
                  <ul className="max-h-56 divide-y divide-line overflow-auto rounded-md border border-line">
                    {shownDevices.map((d) => (
                      <li key={d.id} className="px-3 py-1.5">
                        <Checkbox
                          id={`device-${d.id}`}
                          label={
                            <span>
                              {d.name} <span className="font-mono text-xs text-muted">{d.udid}</span>
                            </span>
                          }
                          checked={values.deviceIds.includes(d.id)}
                          onChange={(e) =>
                            update("deviceIds", e.target.checked ? [...values.deviceIds, d.id] : values.deviceIds.filter((x) => x !== d.id))
                          }
                        />
                      </li>
                    ))}
                  </ul>
                  <p className="text-xs text-muted">{values.deviceIds.length} selected</p>
                </>
              )}
              {errorFor("deviceIds")?.length ? <p className="text-[13px] text-danger">{errorFor("deviceIds")![0]}</p> : null}
            </fieldset>
          ) : null}
          {values.deviceScope === "tags" ? (
            <Field label="Device tags" error={errorFor("deviceTags")} hint="Comma-separated. A device with any of these tags matches.">
              <Input
                value={tagsText}
                onChange={(e) => {
                  setTagsText(e.target.value);
                  update(
                    "deviceTags",
                    [...new Set(e.target.value.split(",").map((t) => t.trim()).filter(Boolean))],
                  );
                }}
                placeholder="lab-1, eu"
              />
            </Field>
          ) : null}
        </Section>

        <Card>
          <CardBody className="space-y-4">
            <Checkbox
              name="skipEndpointCheckBox"
              label="Skip endpoint check"
              hint={
                editing
                  ? "When the URL changes, Save first sends a signed webhook.test and requires a 2xx answer."
                  : "Save first sends a signed webhook.test to the URL and requires a 2xx answer."
              }
              checked={values.skipEndpointCheck}
              onChange={(e) => update("skipEndpointCheck", e.target.checked)}
            />
            <FormMessage state={state && !state.ok ? state : null} />
            <div className="flex flex-wrap items-end gap-2 rounded-md border border-line bg-canvas p-3">
              <div className="min-w-48 flex-1">
                <label htmlFor="test-event-type" className="mb-1.5 block text-[13px] font-medium text-muted">
                  Test event type
                </label>
                <Select id="test-event-type" value={testType || firstEvent} onChange={(e) => setTestType(e.target.value as EventType)}>
                  {EVENT_TYPES.map((t) => (
                    <option key={t} value={t}>
                      {EVENT_CATALOG.find((e) => e.type === t)?.description} ({t})
                    </option>
                  ))}
                </Select>
              </div>
              <Button onClick={sendTest} pending={testing} pendingLabel="Sending…">
                Send test event
              </Button>
            </div>
            {test ? <TestResult result={test.result} message={test.message} /> : null}
            <div className="flex justify-end gap-2 border-t border-line pt-4">
              <ButtonLink href={cancelHref}>Cancel</ButtonLink>
              <SubmitButton pendingLabel={editing ? "Saving…" : "Checking endpoint…"}>Save</SubmitButton>
            </div>
          </CardBody>
        </Card>
      </form>

      <aside className="lg:sticky lg:top-6 lg:self-start">
        <RequestPreview settings={previewSettings} eventType={firstEvent} orgId={orgId} />
      </aside>
    </div>
  );
}
