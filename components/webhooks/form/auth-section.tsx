"use client";

import { Field, Input, RadioGroup } from "@/components/ui";
import { fieldId } from "./fields";
import { Section } from "./section";
import type { WebhookFormApi, WebhookFormState } from "./use-webhook-form";

/** Authentication: none, Basic (username + password) or Bearer (token); blank secrets keep the stored ones on edit. */
export function AuthSection({ form }: { form: WebhookFormApi }) {
  const { values, update, errorFor, editing, storedAuthType } = form;
  const keepHint = (type: WebhookFormState["authType"]) => (editing && storedAuthType === type ? "set — leave blank to keep" : undefined);
  return (
    <Section title="Authentication" description="Stored encrypted and never shown again after saving.">
      <RadioGroup
        id={fieldId("authType")}
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
          <Field id={fieldId("authUsername")} label="Username" error={errorFor("authUsername")}>
            <Input value={values.authUsername} onChange={(e) => update("authUsername", e.target.value)} autoComplete="off" />
          </Field>
          <Field id={fieldId("authPassword")} label="Password" error={errorFor("authPassword")} hint={keepHint("basic")}>
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
        <Field id={fieldId("authToken")} label="Token" error={errorFor("authToken")} hint={keepHint("bearer")}>
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
  );
}
