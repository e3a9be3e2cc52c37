"use client";

import { useState } from "react";
import { DevicePicker } from "@/components/devices/device-picker";
import { Field, Input, RadioGroup } from "@/components/ui";
import { fieldId } from "./fields";
import { Section } from "./section";
import type { PickerDevice, WebhookFormApi } from "./use-webhook-form";

/** Devices: all, a picked list (with a filter) or devices with any of some tags. */
export function DevicesSection({ form, devices }: { form: WebhookFormApi; devices: PickerDevice[] }) {
  const { values, update, errorFor, orgSlug } = form;
  const [tagsText, setTagsText] = useState(() => values.deviceTags.join(", "));
  return (
    <Section title="Devices" description="Which devices' events this webhook receives.">
      <RadioGroup
        id={fieldId("deviceScope")}
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
        <fieldset id={fieldId("deviceIds")} className="space-y-2" data-invalid={errorFor("deviceIds")?.length ? true : undefined}>
          <legend className="sr-only">Pick devices</legend>
          <DevicePicker devices={devices} selected={values.deviceIds} onChange={(ids) => update("deviceIds", ids)} orgSlug={orgSlug} />
          {errorFor("deviceIds")?.length ? <p className="text-[13px] text-danger">{errorFor("deviceIds")![0]}</p> : null}
        </fieldset>
      ) : null}
      {values.deviceScope === "tags" ? (
        <Field id={fieldId("deviceTags")} label="Device tags" error={errorFor("deviceTags")} hint="Comma-separated. A device with any of these tags matches.">
          <Input
            value={tagsText}
            onChange={(e) => {
              setTagsText(e.target.value);
              update("deviceTags", [...new Set(e.target.value.split(",").map((t) => t.trim()).filter(Boolean))]);
            }}
            placeholder="lab-1, eu"
          />
        </Field>
      ) : null}
    </Section>
  );
}
