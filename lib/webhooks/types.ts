/**
 * Shared types of the webhook pipeline: settings → (buildWebhookRequest) → BuiltRequest → (sign) → (send).
 * Isomorphic: the browser form's preview uses the same types and builder as the delivery engine.
 */
import type { WebhookFormat, WebhookMethod, NameValue } from "@/db/schema/webhooks";

export type WebhookAuth =
  | { type: "none" }
  | { type: "basic"; username: string; password: string }
  | { type: "bearer"; token: string };

/** Everything the request builder needs about a webhook (auth already decrypted on the server). */
export type WebhookSettings = {
  id: number | null; // null for an unsaved form
  name: string;
  url: string;
  method: WebhookMethod;
  format: WebhookFormat;
  bodyTemplate: string | null;
  contentType: string | null;
  headers: NameValue[];
  queryParams: NameValue[];
  auth: WebhookAuth;
};

/** What the event log holds about an event (one `events` row). */
export type StoredEvent = {
  id: string;
  orgId: number;
  type: string;
  deviceUdid: string | null;
  deviceName: string | null;
  payload: Record<string, unknown>;
  createdAt: Date;
};

/** The JSON body of a delivery (README, "Webhooks: the request"). */
export type EventEnvelope = {
  eventId: string;
  /** When this attempt is sent (ISO 8601): new on every retry. */
  creationTime: string;
  /** When the event happened (ISO 8601): the same on every retry. */
  eventTime: string;
  eventType: "DEVICE" | "WEBHOOK" | "API_KEY";
  eventActivity: string;
  eventDescription: string;
  deviceUdid: string | null;
  deviceName: string | null;
  orgId: number;
  webhookId: number | null;
  webhookName: string;
  data: Record<string, unknown>;
};

/** An HTTP request ready to sign and send. `body` is the exact string that is signed and sent. */
export type BuiltRequest = {
  method: WebhookMethod;
  url: string;
  headers: Record<string, string>;
  body: string;
  /** Header names (lower case) and query parameter names whose values are secret: maskAuth hides them. */
  secretNames?: { headers: string[]; query: string[] };
};

/** What came back from one attempt. `error` is plain words ("connection refused", "timed out after 10 s"). */
export type SendResult = {
  ok: boolean;
  status: number | null;
  headers: Record<string, string>;
  /** First 16 KB of the response body. */
  body: string;
  durationMs: number;
  error: string | null;
  /** "build": the request could not be built (template error or over its rendering budget); never retried. */
  errorCode: "timeout" | "refused" | "private_address" | "dns" | "invalid_url" | "network" | "build" | null;
  /** Response body bytes read from the socket (reading stops after 64 KB); absent when no response came. */
  bytesRead?: number;
};
