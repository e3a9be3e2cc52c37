"use client";

import { useRouter } from "next/navigation";
import { useActionState, useMemo, useState, useTransition, type FormEvent } from "react";
import { z } from "zod";
import type { NameValue } from "@/db/schema/webhooks";
import { createWebhookAction, sendTestEventAction, updateWebhookAction } from "@/lib/actions/webhooks";
import type { ActionState } from "@/lib/actions/safe-action";
import {
  webhookFormSchema,
  type WEBHOOK_AUTH_TYPES,
  type WEBHOOK_DEVICE_SCOPES,
  type WEBHOOK_FORMATS,
  type WEBHOOK_METHODS,
} from "@/lib/validation/webhooks";
import { SUBSCRIBABLE_EVENT_TYPES, type EventType } from "@/lib/webhooks/catalog";
import { previewAuth, settingsFromInput } from "@/lib/webhooks/form-settings";
import { DEFAULT_CUSTOM_CONTENT_TYPE, prefilledHeaders } from "@/lib/webhooks/request";
import type { TestEventResult } from "@/lib/webhooks/test-event";
import type { WebhookSettings } from "@/lib/webhooks/types";

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
};

export type PickerDevice = { id: number; udid: string; name: string; tags: string[] };

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
 * every change (errors show once a field was touched or after Save), the submit to the server action, the live
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

  const action = editing ? updateWebhookAction : createWebhookAction;
  const [state, formAction] = useActionState(async (prev: ActionState<{ id: number }>, fd: FormData) => {
    const result = (await action(prev, fd)) as ActionState<{ id: number }>;
    if (result?.ok && result.data?.id) {
      router.push(`/orgs/${orgSlug}/webhooks/${result.data.id}`);
      router.refresh();
    } else {
      setServerErrors(result?.errors ?? {});
    }
    return result;
  }, null);

  const update = <K extends keyof WebhookFormState>(key: K, value: WebhookFormState[K]) => {
    setValues((v) => ({ ...v, [key]: value }));
    setTouched((t) => (t.has(key) ? t : new Set(t).add(key)));
    setServerErrors((e) => (e[key] ? { ...e, [key]: undefined } : e));
  };
  const errorFor = (key: string): string[] | undefined => serverErrors[key] ?? (submitted || touched.has(key) ? clientErrors[key] : undefined);

  const onSubmit = (e: FormEvent<HTMLFormElement>) => {
    setSubmitted(true);
    if (Object.values(clientErrors).some((m) => m?.length)) {
      e.preventDefault();
      const first = document.querySelector<HTMLElement>("[aria-invalid=true]");
      first?.focus();
    }
  };

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
    state,
    formAction,
    onSubmit,
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
