/**
 * The delivery envelope (README, "Webhooks: the request"): what a receiver gets as the JSON body, and the variables of custom body
 * templates. Isomorphic: the form's request preview builds the same envelope in the browser.
 */
import { catalogEntry, SAMPLE_DEVICE, type EventType } from "@/lib/events/catalog";
import type { EventEnvelope, StoredEvent } from "./types";

/**
 * Builds the body a webhook receives for one stored event, for the attempt sent at `sentAt`. The one builder of
 * deliveries, test events and the form's preview. `creationTime` is when this callback is sent (Kobiton: "the date
 * and time the callback is sent"), new on every retry; `eventTime` is when the event happened, the same on every
 * retry (a receiver measures lag as creationTime − eventTime).
 */
export function buildEventEnvelope(
  event: StoredEvent,
  webhook: { id: number | null; name: string },
  sentAt: Date = new Date(),
): EventEnvelope {
  const entry = catalogEntry(event.type);
  return {
    eventId: event.id,
    creationTime: sentAt.toISOString(),
    eventTime: event.createdAt.toISOString(),
    eventType: entry?.group ?? (event.type.startsWith("webhook.") ? "WEBHOOK" : "DEVICE"),
    eventActivity: event.type,
    eventDescription: entry?.description ?? event.type,
    deviceUdid: event.deviceUdid,
    deviceName: event.deviceName,
    orgId: event.orgId,
    webhookId: webhook.id,
    webhookName: webhook.name,
    data: event.payload,
  };
}

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** "evt_" + a ULID-shaped id from Web Crypto (works in the browser and in Node), for sample and test events. */
export function sampleEventId(now: Date = new Date()): string {
  let t = now.getTime();
  let time = "";
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  return `evt_${time}${Array.from(bytes, (b) => CROCKFORD[b & 31]).join("")}`;
}

/**
 * A sample event of a catalog type with the catalog's sample data and the sample device, for the request preview,
 * test events and the endpoint check. `webhook.test` carries the sample device too, so templates render fully.
 */
export function sampleEvent(type: EventType, orgId: number, now: Date = new Date(), id?: string): StoredEvent {
  const entry = catalogEntry(type);
  // API key events are about the org, not a device (as the real ones are)
  const device = entry?.group === "API_KEY" ? null : SAMPLE_DEVICE;
  return {
    id: id ?? sampleEventId(now),
    orgId,
    type,
    deviceUdid: device?.udid ?? null,
    deviceName: device?.name ?? null,
    payload: structuredClone((entry?.sampleData ?? {}) as Record<string, unknown>),
    createdAt: now,
  };
}
