"use client";

import Link from "next/link";
import { useState } from "react";
import { Checkbox, Field, Input, RadioGroup } from "@/components/ui";
import { fieldId } from "./fields";
import { Section } from "./section";
import type { PickerDevice, WebhookFormApi } from "./use-webhook-form";

/** Devices: all, a picked list (with a filter) or devices with any of some tags. */
export function DevicesSection({ form, devices }: { form: WebhookFormApi; devices: PickerDevice[] }) {
  const { values, update, errorFor, orgSlug } = form;
  const [deviceFilter, setDeviceFilter] = useState("");
  const [tagsText, setTagsText] = useState(() => values.deviceTags.join(", "));
  const q = deviceFilter.trim().toLowerCase();
  const shownDevices = devices.filter(
    (d) => !q || d.name.toLowerCase().includes(q) || d.udid.toLowerCase().includes(q) || d.tags.some((t) => t.toLowerCase().includes(q)),
  );
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
                      onChange={(e) => update("deviceIds", e.target.checked ? [...values.deviceIds, d.id] : values.deviceIds.filter((x) => x !== d.id))}
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
