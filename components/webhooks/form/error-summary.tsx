"use client";

import { Button } from "@/components/ui";
import { focusField, SUMMARY_ID } from "./fields";
import type { WebhookFormApi } from "./use-webhook-form";

/**
 * Beside Save after a refused Save: what went wrong, each problem named with a link to its field, and after a failed
 * endpoint check what the receiver answered with "Save anyway" (saves with Skip endpoint check ticked). Announced
 * when it appears; focus lands here when there is no field to fix.
 */
export function ErrorSummary({ form }: { form: WebhookFormApi }) {
  const { problems, result, endpointCheckFailed, save, saving } = form;
  const refused = result && !result.ok;
  const show = refused || problems.length > 0;
  return (
    <div aria-live="assertive" aria-atomic="true">
      {show ? (
        <div
          id={SUMMARY_ID}
          tabIndex={-1}
          role="group"
          aria-labelledby="webhook-error-summary-title"
          data-testid="error-summary"
          className="space-y-2 rounded-md border border-danger/30 bg-danger-soft px-3 py-2.5 text-sm text-danger outline-none focus-visible:ring-2 focus-visible:ring-danger/40"
        >
          <p id="webhook-error-summary-title" className="font-medium">
            {refused && result.message
              ? result.message
              : `Not saved: ${problems.length === 1 ? "1 problem" : `${problems.length} problems`} to fix.`}
          </p>
          {problems.length ? (
            <ul className="list-disc space-y-0.5 pl-5">
              {problems.map((p) => (
                <li key={p.key}>
                  <a
                    href={`#${p.id}`}
                    className="underline underline-offset-2 hover:no-underline"
                    onClick={(e) => {
                      e.preventDefault();
                      focusField(document.getElementById(p.id));
                    }}
                  >
                    {p.label}
                  </a>
                  : {p.message}
                </li>
              ))}
            </ul>
          ) : null}
          {endpointCheckFailed ? (
            <div className="flex flex-wrap items-center gap-2 pt-1">
              <span className="text-fg">Save without checking? Deliveries fail until the receiver answers 2xx.</span>
              <Button size="sm" variant="danger" onClick={() => save({ skipEndpointCheck: true })} pending={saving}>
                Save anyway
              </Button>
            </div>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
