"use client";

import { useActionState, useState } from "react";
import { Card, CardBody, CardFooter, CardHeader, Checkbox, Field, FormMessage, Input, RadioGroup, Select, SubmitButton, Switch } from "@/components/ui";
import { DevicePicker, type PickerDevice } from "@/components/devices/device-picker";
import { saveMyNotificationsAction } from "@/lib/actions/notifications";
import { DIGEST_MINUTE_CHOICES, type NOTIFICATION_MODES, type NOTIFICATION_SCOPES } from "@/lib/validation/notifications";

type Mode = (typeof NOTIFICATION_MODES)[number];
type Scope = (typeof NOTIFICATION_SCOPES)[number];
type Prefs = {
  events: string[];
  deviceScope: Scope;
  deviceIds: number[];
  deviceTags: string[];
  mode: Mode;
  digestMinutes: number;
  alerts: boolean;
  receivesAlerts: boolean;
};

/**
 * My notifications: which events reach me by email (event types × device scope), each event or a digest, and —
 * for owners and admins — operational alerts on or off. The member is the session's; the form names only the org.
 */
export function NotificationsForm({
  orgSlug,
  orgName,
  prefs,
  devices,
  eventTypes,
}: {
  orgSlug: string;
  orgName: string;
  prefs: Prefs;
  devices: PickerDevice[];
  eventTypes: { type: string; label: string; group: string }[];
}) {
  const [state, action] = useActionState(saveMyNotificationsAction, null);
  const [events, setEvents] = useState<string[]>(prefs.events);
  const [scope, setScope] = useState<Scope>(prefs.deviceScope);
  const [deviceIds, setDeviceIds] = useState<number[]>(prefs.deviceIds);
  const [tagsText, setTagsText] = useState(prefs.deviceTags.join(", "));
  const [mode, setMode] = useState<Mode>(prefs.mode);
  const errors = state?.ok ? undefined : state?.errors;
  const tags = [...new Set(tagsText.split(",").map((t) => t.trim()).filter(Boolean))];

  return (
    <form action={action} noValidate className="max-w-3xl space-y-5">
      <input type="hidden" name="orgSlug" value={orgSlug} />
      <Card>
        <CardHeader title="Device notifications" description={`Email me when these events happen in ${orgName}. None ticked: no device emails.`} />
        <CardBody className="space-y-5">
          <fieldset id="field-events">
            <legend className="mb-2 text-sm font-medium text-fg">Events</legend>
            <div className="grid gap-2 sm:grid-cols-2">
              {eventTypes.map((e) => (
                <Checkbox
                  key={e.type}
                  name="events[]"
                  value={e.type}
                  id={`event-${e.type}`}
                  label={e.label}
                  hint={<span className="font-mono text-xs">{e.type}</span>}
                  checked={events.includes(e.type)}
                  onChange={(ev) => setEvents(ev.target.checked ? [...events, e.type] : events.filter((x) => x !== e.type))}
                />
              ))}
            </div>
            {errors?.events?.length ? <p className="mt-1 text-[13px] text-danger">{errors.events[0]}</p> : null}
          </fieldset>

          <RadioGroup
            legend="Devices"
            name="deviceScope"
            value={scope}
            onChange={setScope}
            error={errors?.deviceScope}
            options={[
              { value: "all", label: "All devices" },
              { value: "selected", label: "Selected devices" },
              { value: "tags", label: "Devices with tags" },
            ]}
          />
          {scope === "selected" ? (
            <fieldset id="field-deviceIds" className="space-y-2">
              <legend className="sr-only">Pick devices</legend>
              <DevicePicker devices={devices} selected={deviceIds} onChange={setDeviceIds} orgSlug={orgSlug} />
              {deviceIds.map((id) => (
                <input key={id} type="hidden" name="deviceIds[]" value={id} />
              ))}
              {errors?.deviceIds?.length ? <p className="text-[13px] text-danger">{errors.deviceIds[0]}</p> : null}
            </fieldset>
          ) : null}
          {scope === "tags" ? (
            <Field id="field-deviceTags" label="Device tags" error={errors?.deviceTags} hint="Comma-separated. A device with any of these tags matches.">
              <Input value={tagsText} onChange={(e) => setTagsText(e.target.value)} placeholder="lab-1, eu" />
            </Field>
          ) : null}
          {scope === "tags" ? tags.map((t) => <input key={t} type="hidden" name="deviceTags[]" value={t} />) : null}

          <RadioGroup
            legend="Delivery"
            name="mode"
            value={mode}
            onChange={setMode}
            error={errors?.mode}
            options={[
              { value: "each", label: "An email per event" },
              { value: "digest", label: "A digest" },
            ]}
          />
          {mode === "digest" ? (
            <Field id="field-digestMinutes" label="Digest every" error={errors?.digestMinutes} hint="Events collect from the first one on; one email lists them when the window ends.">
              {(control) => (
                <div className="max-w-40">
                  <Select {...control} name="digestMinutes" defaultValue={String(prefs.digestMinutes)}>
                    {DIGEST_MINUTE_CHOICES.map((m) => (
                      <option key={m} value={m}>
                        {m === 60 ? "1 hour" : `${m} minutes`}
                      </option>
                    ))}
                  </Select>
                </div>
              )}
            </Field>
          ) : (
            <input type="hidden" name="digestMinutes" value={prefs.digestMinutes} />
          )}
        </CardBody>
      </Card>

      <Card>
        <CardHeader
          title="Operational alerts"
          description={
            prefs.receivesAlerts
              ? "A webhook disabled or failing, an API key about to expire, a revoked device token still in use."
              : "Sent to owners and admins only."
          }
        />
        <CardBody>
          {prefs.receivesAlerts ? (
            <label className="flex items-center gap-3 text-sm font-medium text-fg">
              <Switch name="alerts" defaultChecked={prefs.alerts} aria-label="Operational alerts" />
              Email me operational alerts
            </label>
          ) : (
            <p className="text-sm text-muted">Your role does not receive operational alerts.</p>
          )}
          {!prefs.receivesAlerts && prefs.alerts ? <input type="hidden" name="alerts" value="on" /> : null}
        </CardBody>
        <CardFooter>
          <SubmitButton pendingLabel="Saving…">Save</SubmitButton>
        </CardFooter>
      </Card>
      <FormMessage state={state} />
    </form>
  );
}
