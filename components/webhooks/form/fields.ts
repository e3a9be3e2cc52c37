/**
 * The webhook form's fields in screen order: the id of each control (or fieldset) and the name the error summary
 * gives it. The summary links to these ids; focus goes to the first invalid one.
 */
/** The form element and the error summary beside Save (focus moves to one of them after a refused Save). */
export const FORM_ID = "webhook-form";
export const SUMMARY_ID = "webhook-error-summary";

export const FORM_FIELDS = [
  ["name", "webhook-name", "Webhook Name"],
  ["url", "webhook-url", "URL"],
  ["description", "webhook-description", "Description"],
  ["events", "webhook-events", "Events"],
  ["method", "webhook-method", "Method"],
  ["format", "webhook-format", "Request format"],
  ["bodyTemplate", "webhook-body-template", "Body template"],
  ["contentType", "webhook-content-type", "Content type"],
  ["headers", "webhook-headers", "Headers"],
  ["queryParams", "webhook-query-params", "Query parameters"],
  ["authType", "webhook-auth-type", "Authentication"],
  ["authUsername", "webhook-auth-username", "Username"],
  ["authPassword", "webhook-auth-password", "Password"],
  ["authToken", "webhook-auth-token", "Token"],
  ["deviceScope", "webhook-device-scope", "Devices"],
  ["deviceIds", "webhook-device-ids", "Selected devices"],
  ["deviceTags", "webhook-device-tags", "Device tags"],
  ["enabled", "webhook-enabled", "Active"],
  ["skipEndpointCheck", "webhook-skip-endpoint-check", "Skip endpoint check"],
] as const;

export type FormFieldKey = (typeof FORM_FIELDS)[number][0];

/** The DOM id of a field's control. */
export const fieldId = (key: FormFieldKey): string => FORM_FIELDS.find(([k]) => k === key)![1];

/** Moves focus to a field: the control itself, or the first control inside a fieldset. Returns whether it could. */
export function focusField(el: Element | null): boolean {
  if (!(el instanceof HTMLElement)) return false;
  const target =
    el instanceof HTMLFieldSetElement
      ? (el.querySelector<HTMLElement>("input:not([type=hidden]):not([disabled]), select, textarea") ?? el.querySelector<HTMLElement>("button"))
      : el;
  if (!target) return false;
  target.focus();
  target.scrollIntoView({ block: "center" });
  return true;
}
