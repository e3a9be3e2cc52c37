import "server-only";
import type { Db } from "@/db/client";
import { deliveryAttempts } from "@/db/schema";
import type { EventType } from "@/lib/events/catalog";
import { buildEventEnvelope, sampleEvent } from "@/lib/webhooks/envelope";
import { buildWebhookRequest, maskAuth } from "@/lib/webhooks/request";
import { sendHttpRequest } from "./send";
import { newWebhookSecret, signRequest } from "@/lib/webhooks/signing";
import type { BuiltRequest, SendResult, WebhookSettings } from "@/lib/webhooks/types";

export type TestEventResult = {
  eventId: string;
  eventType: string;
  /** What was sent, credentials masked. */
  request: BuiltRequest;
  response: SendResult;
  /** Whether it was signed with a throwaway secret (an unsaved form: the webhook has no secret yet). */
  temporarySecret: boolean;
  /** What the form shows beside the result (why a verifying receiver answered 401), or null. */
  note: string | null;
};

/** The note of a test sent from an unsaved form: signed with a secret that exists only for this one request. */
export const TEMPORARY_SECRET_NOTE =
  "signed with a temporary secret — a receiver that verifies signatures will answer 401 until the webhook is saved";

/**
 * Sends one sample event through the real sending path: the same builder as deliveries, signed with the webhook's
 * secrets (or a throwaway one for an unsaved form), then the URL guard, pinned connection, timeout and no
 * redirects of sendHttpRequest. For a saved webhook the attempt is logged as a test delivery.
 */
export async function sendTestEvent(
  db: Db,
  args: {
    orgId: number;
    settings: WebhookSettings;
    secrets: string[] | null;
    eventType?: EventType;
    /** Log as a delivery attempt with is_test (saved webhooks only). */
    log?: boolean;
    now?: Date;
  },
): Promise<TestEventResult> {
  const now = args.now ?? new Date();
  const event = sampleEvent(args.eventType ?? "webhook.test", args.orgId, now);
  let built: BuiltRequest;
  try {
    built = buildWebhookRequest(args.settings, buildEventEnvelope(event, { id: args.settings.id, name: args.settings.name }, now));
  } catch (err) {
    // a template error or a render over its budget: nothing is sent, and the reason is shown like a failed send
    const request: BuiltRequest = { method: args.settings.method, url: args.settings.url, headers: {}, body: "" };
    const error = `could not build the request: ${err instanceof Error ? err.message : String(err)}`;
    return {
      eventId: event.id,
      eventType: event.type,
      request,
      response: { ok: false, status: null, headers: {}, body: "", durationMs: 0, error, errorCode: "build" },
      temporarySecret: !args.secrets?.length,
      note: null,
    };
  }
  const temporarySecret = !args.secrets?.length;
  const secrets = temporarySecret ? [newWebhookSecret()] : args.secrets!;
  const signed = signRequest(built, event.id, now, secrets);
  const response = await sendHttpRequest(signed);
  const request = maskAuth(signed);
  if (args.log && args.settings.id != null) {
    await db.insert(deliveryAttempts).values({
      orgId: args.orgId,
      webhookId: args.settings.id,
      eventId: event.id,
      eventType: event.type,
      isTest: true,
      requestMethod: request.method,
      requestUrl: request.url,
      requestHeaders: request.headers,
      requestBody: request.body,
      responseStatus: response.status,
      responseHeaders: response.headers,
      responseBody: response.body,
      durationMs: response.durationMs,
      error: response.error,
      attemptedAt: now,
    });
  }
  return { eventId: event.id, eventType: event.type, request, response, temporarySecret, note: temporarySecret ? TEMPORARY_SECRET_NOTE : null };
}

/**
 * The endpoint check on create and URL change: the receiver must answer 2xx to a signed webhook.test within the
 * timeout. Returns why it failed in words for the URL field, or null when it passed.
 */
export async function checkEndpoint(db: Db, orgId: number, settings: WebhookSettings, secrets: string[]): Promise<string | null> {
  const { response } = await sendTestEvent(db, { orgId, settings, secrets, eventType: "webhook.test", log: false });
  if (response.ok) return null;
  const why = response.error ?? (response.status != null ? `receiver answered HTTP ${response.status}` : "no answer");
  return `Endpoint check failed: ${why}. The URL must answer 2xx to a signed webhook.test; fix the receiver or tick "Skip endpoint check".`;
}
