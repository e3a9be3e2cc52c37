"use client";

import { Button, ButtonLink, Card, CardBody, Checkbox, FormMessage, Select, SubmitButton } from "@/components/ui";
import { EVENT_CATALOG, EVENT_TYPES, type EventType } from "@/lib/webhooks/catalog";
import { TestResult } from "../test-result";
import type { WebhookFormApi } from "./use-webhook-form";

/** The last card: Skip endpoint check, the outcome of Save, Send test event, Cancel and Save. */
export function SaveSection({ form, cancelHref }: { form: WebhookFormApi; cancelHref: string }) {
  const { values, update, editing, state, test, testing, sendTest, testType, setTestType } = form;
  return (
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
        <div className="flex justify-end gap-2 border-t border-line pt-4">
          <ButtonLink href={cancelHref}>Cancel</ButtonLink>
          <SubmitButton pendingLabel={editing ? "Saving…" : "Checking endpoint…"}>Save</SubmitButton>
        </div>
      </CardBody>
    </Card>
  );
}
