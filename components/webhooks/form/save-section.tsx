"use client";

import { Button, ButtonLink, Card, CardBody, Checkbox, Select } from "@/components/ui";
import { EVENT_CATALOG, EVENT_TYPES, type EventType } from "@/lib/events/catalog";
import { TestResult } from "../test-result";
import { ErrorSummary } from "./error-summary";
import { fieldId } from "./fields";
import type { WebhookFormApi } from "./use-webhook-form";

/** The last card: Active (create only), Skip endpoint check, Send test event, then the error summary beside Cancel and Save. */
export function SaveSection({ form, cancelHref }: { form: WebhookFormApi; cancelHref: string }) {
  const { values, update, editing, saving, test, testing, sendTest, testType, setTestType, errorFor } = form;
  return (
    <Card>
      <CardBody className="space-y-4">
        {editing ? null : (
          <Checkbox
            id={fieldId("enabled")}
            label="Active"
            hint="Receives events as soon as it is saved. Untick to create it disabled and enable it later."
            checked={values.enabled}
            onChange={(e) => update("enabled", e.target.checked)}
            aria-invalid={errorFor("enabled")?.length ? true : undefined}
          />
        )}
        <Checkbox
          id={fieldId("skipEndpointCheck")}
          label="Skip endpoint check"
          hint={
            editing
              ? "When the URL changes, Save first sends a signed webhook.test and requires a 2xx answer."
              : "Save first sends a signed webhook.test to the URL and requires a 2xx answer."
          }
          checked={values.skipEndpointCheck}
          onChange={(e) => update("skipEndpointCheck", e.target.checked)}
        />
        <div className="flex flex-wrap items-end gap-2 rounded-md border border-line bg-canvas p-3">
          <div className="min-w-48 flex-1">
            <label htmlFor="test-event-type" className="mb-1.5 block text-[13px] font-medium text-muted">
              Test event type
            </label>
            <Select id="test-event-type" value={testType} onChange={(e) => setTestType(e.target.value as EventType)}>
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
        <div className="space-y-3 border-t border-line pt-4">
          <ErrorSummary form={form} />
          <div className="flex justify-end gap-2">
            <ButtonLink href={cancelHref}>Cancel</ButtonLink>
            <Button type="submit" variant="primary" pending={saving} pendingLabel={editing ? "Saving…" : "Checking endpoint…"}>
              Save
            </Button>
          </div>
        </div>
      </CardBody>
    </Card>
  );
}
