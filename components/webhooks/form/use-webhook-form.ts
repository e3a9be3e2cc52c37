"use client";

import { useRouter } from "next/navigation";
import { useEffect, useMemo, useState, useTransition, type FormEvent } from "react";
import { z } from "zod";
import type { NameValue } from "@/db/schema/webhooks";
import { createWebhookAction, sendTestEventAction, updateWebhookAction } from "@/lib/actions/webhooks";
import type { ActionState } from "@/lib/actions/safe-action";
import {
  ENDPOINT_CHECK_FAILED,
  webhookFormSchema,
  type WEBHOOK_AUTH_TYPES,
  type WEBHOOK_DEVICE_SCOPES,
  type WEBHOOK_FORMATS,
  type WEBHOOK_METHODS,
} from "@/lib/validation/webhooks";
import { SUBSCRIBABLE_EVENT_TYPES, type EventType } from "@/lib/events/catalog";
import { previewAuth, settingsFromInput } from "@/lib/webhooks/form-settings";
import { DEFAULT_CUSTOM_CONTENT_TYPE, prefilledHeaders } from "@/lib/webhooks/request";
import type { TestEventResult } from "@/lib/delivery/test-event";
import type { WebhookSettings } from "@/lib/webhooks/types";
import { FORM_FIELDS, FORM_ID, focusField, SUMMARY_ID, type FormFieldKey } from "./fields";

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
  /** Active: create only (an existing webhook is switched with Enable / Disable). */
  enabled: boolean;
};

export type { PickerDevice } from "@/components/devices/device-picker";

export type FieldErrors = Record<string, string[] | undefined>;

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
  enabled: true,
};

export type WebhookFormOptions = {
  orgSlug: string;
  initial?: Partial<WebhookFormState> | null;
  /** Edit only: the saved auth type (its password/token are kept when left blank). */
  storedAuthType?: WebhookFormState["authType"] | null;
  allowHttp: boolean;
};

/**
 * The Create / Edit webhook form's state: controlled values checked with the same zod schema as the server on
 * every change (errors show once a field was touched or after Save), Save (focus on the first problem, a summary of
 * them, "Save anyway" past a failed endpoint check), the live
 * preview's settings (the same form → settings mapping as the server) and "Send test event" from the form as typed.
 */
export function useWebhookForm({ orgSlug, initial, storedAuthType, allowHttp }: WebhookFormOptions) {
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

  const schema = useMemo(() => webhookFormSchema({ allowHttp, storedAuthType: storedAuthType ?? null }), [allowHttp, storedAuthType]);
  const clientErrors = useMemo<FieldErrors>(() => {
    const parsed = schema.safeParse({ ...values, orgSlug });
    return parsed.success ? {} : (z.flattenError(parsed.error).fieldErrors as FieldErrors);
  }, [schema, values, orgSlug]);

  const update = <K extends keyof WebhookFormState>(key: K, value: WebhookFormState[K]) => {
    setValues((v) => ({ ...v, [key]: value }));
    setTouched((t) => (t.has(key) ? t : new Set(t).add(key)));
    setServerErrors((e) => (e[key] ? { ...e, [key]: undefined } : e));
  };
  const errorFor = (key: string): string[] | undefined => serverErrors[key] ?? (submitted || touched.has(key) ? clientErrors[key] : undefined);
  // What the error summary lists: the problems that refused the last Save, in screen order, each while it is still
  // a problem (it shrinks as they are fixed; a problem that appears later shows under its field until the next Save).
  const [refusedKeys, setRefusedKeys] = useState<ReadonlySet<string>>(() => new Set());
  const problems = FORM_FIELDS.flatMap(([key, id, label]) => {
    const messages = refusedKeys.has(key) ? errorFor(key) : undefined;
    return messages?.length ? [{ key: key as FormFieldKey, id, label, message: messages[0] }] : [];
  });
  const keysWithMessages = (errors: FieldErrors) => new Set(Object.keys(errors).filter((k) => errors[k]?.length));

  // Save. Every control is controlled from `values` and the action is called with them directly (not through
  // <form action>, which React resets after the action), so what the screen shows is what is sent, after any refusal.
  const action = editing ? updateWebhookAction : createWebhookAction;
  const [saving, startSave] = useTransition();
  const [result, setResult] = useState<ActionState<{ id: number }>>(null);
  // focus moves after the render that shows the errors (a request counter, so a repeated refusal moves it again)
  const [focusRequest, setFocusRequest] = useState<{ n: number; to: "field" | "summary" } | null>(null);
  useEffect(() => {
    if (!focusRequest) return;
    const invalid = document.getElementById(FORM_ID)?.querySelector('[aria-invalid="true"], [data-invalid="true"]') ?? null;
    if (focusRequest.to === "field" && focusField(invalid)) return;
    const summary = document.getElementById(SUMMARY_ID);
    summary?.focus();
    summary?.scrollIntoView({ block: "center" });
  }, [focusRequest]);

  const save = (overrides: Partial<Pick<WebhookFormState, "skipEndpointCheck">> = {}) => {
    const next = { ...values, ...overrides };
    if (overrides.skipEndpointCheck !== undefined) setValues(next);
    setSubmitted(true);
    if (Object.values(clientErrors).some((m) => m?.length)) {
      setResult(null);
      setRefusedKeys(keysWithMessages(clientErrors));
      setFocusRequest((f) => ({ n: (f?.n ?? 0) + 1, to: "field" }));
      return;
    }
    startSave(async () => {
      const res = (await action(null, { ...next, orgSlug }).catch(() => ({
        ok: false,
        message: "Could not reach the server; nothing was saved. Please try again.",
      }))) as ActionState<{ id: number }>;
      if (res?.ok && res.data?.id) {
        router.push(`/orgs/${orgSlug}/webhooks/${res.data.id}`);
        router.refresh();
        return;
      }
      setResult(res);
      setServerErrors(res?.errors ?? {});
      setRefusedKeys(keysWithMessages(res?.errors ?? {}));
      setFocusRequest((f) => ({ n: (f?.n ?? 0) + 1, to: res?.code === ENDPOINT_CHECK_FAILED ? "summary" : "field" }));
    });
  };
  const onSubmit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (!saving) save();
  };
  // "Save anyway" is offered while the URL that failed the check is still the one typed
  const endpointCheckFailed = result?.code === ENDPOINT_CHECK_FAILED && Boolean(serverErrors.url?.length);

  const firstEvent = (SUBSCRIBABLE_EVENT_TYPES.find((t) => values.events.includes(t)) ?? "webhook.test") as EventType;
  const previewSettings = useMemo<WebhookSettings>(() => settingsFromInput(values, values.id ?? null, previewAuth(values)), [values]);
  const prefilled = useMemo(() => prefilledHeaders(previewSettings), [previewSettings]);

  // Send test event (from the form as typed)
  const [testType, setTestType] = useState<EventType | "">("");
  const [testing, startTest] = useTransition();
  const [test, setTest] = useState<{ result?: TestEventResult; message?: string } | null>(null);
  const sendTest = () =>
    startTest(async () => {
      setTest(null);
      const result = (await sendTestEventAction(null, { ...values, orgSlug, eventType: testType || firstEvent })) as ActionState<TestEventResult>;
      if (result?.errors) {
        setServerErrors(result.errors);
        setSubmitted(true);
      }
      setTest({ result: result?.data, message: result?.message });
    });

  return {
    orgSlug,
    editing,
    storedAuthType: storedAuthType ?? null,
    allowHttp,
    values,
    update,
    errorFor,
    problems,
    result,
    saving,
    save,
    onSubmit,
    endpointCheckFailed,
    firstEvent,
    previewSettings,
    prefilled,
    testType: testType || firstEvent,
    setTestType,
    testing,
    test,
    sendTest,
  };
}

export type WebhookFormApi = ReturnType<typeof useWebhookForm>;
