"use client";

import { Field, Input, RadioGroup, Select, Textarea } from "@/components/ui";
import { MAX_HEADERS, MAX_QUERY_PARAMS } from "@/lib/webhooks/http-rules";
import { NameValueEditor } from "../name-value-editor";
import { fieldId } from "./fields";
import { Section } from "./section";
import type { WebhookFormApi, WebhookFormState } from "./use-webhook-form";

const CONTENT_TYPES = ["application/json", "application/x-www-form-urlencoded", "text/plain", "application/xml"];

/** Request: method, format (custom body template and content type), headers and query parameters. */
export function RequestSection({ form }: { form: WebhookFormApi }) {
  const { values, update, errorFor, prefilled } = form;
  return (
    <Section title="Request" description="How each event is sent. The preview shows the exact result.">
      <div className="flex flex-wrap gap-x-6 gap-y-5">
        <Field id={fieldId("method")} label="Method" error={errorFor("method")} className="w-36">
          <Select value={values.method} onChange={(e) => update("method", e.target.value as WebhookFormState["method"])}>
            <option value="POST">POST</option>
            <option value="PUT">PUT</option>
            <option value="PATCH">PATCH</option>
          </Select>
        </Field>
        <RadioGroup
          id={fieldId("format")}
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
            id={fieldId("bodyTemplate")}
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
          <Field id={fieldId("contentType")} label="Content type" error={errorFor("contentType")}>
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
        id={fieldId("headers")}
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
        id={fieldId("queryParams")}
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
  );
}
