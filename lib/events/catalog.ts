/**
 * The event catalog: the one table that drives event types, the form's toggles, sample payloads for the request
 * preview and test events, the one-line summaries on the device page, and the tests that run over every type.
 * Isomorphic (no server imports). Which webhooks receive an event is the outbox's business (lib/delivery/emit.ts).
 */

export type EventGroup = "DEVICE" | "WEBHOOK" | "API_KEY";

export type CatalogEntry = {
  type: string;
  /** Label of the toggle in the webhook form and `eventDescription` in the delivery body. */
  description: string;
  group: EventGroup;
  /** Whether a webhook may subscribe to it (webhook.test is sent on demand only). */
  subscribable: boolean;
  /** Realistic `data` for previews and test events. */
  sampleData: Record<string, unknown>;
  /** One line about an event of this type, for the device page's event list ("online → offline (not heard from)"). */
  summarize?: (data: EventData) => string;
};

type EventData = Record<string, unknown>;
const str = (v: unknown) => String(v);
const keysOf = (v: unknown) => Object.keys((v as Record<string, unknown> | null) ?? {}).join(", ");
const transition = (d: EventData) => `${str(d.previousStatus)} → ${str(d.status)}`;

export const EVENT_CATALOG = [
  {
    type: "device.status.online",
    description: "Online",
    group: "DEVICE",
    subscribable: true,
    sampleData: { previousStatus: "offline", status: "online", ip: "203.0.113.7" },
    summarize: transition,
  },
  {
    type: "device.status.offline",
    description: "Offline",
    group: "DEVICE",
    subscribable: true,
    sampleData: { previousStatus: "online", status: "offline", reason: "timeout" },
    summarize: (d) => `${str(d.previousStatus)} → offline (${d.reason === "timeout" ? "not heard from" : "reported"})`,
  },
  {
    type: "device.state.utilizing",
    description: "Utilizing",
    group: "DEVICE",
    subscribable: true,
    sampleData: { previousStatus: "online", status: "utilizing" },
    summarize: transition,
  },
  {
    type: "device.state.unplugged",
    description: "Unplugged",
    group: "DEVICE",
    subscribable: true,
    sampleData: { previousStatus: "online", status: "unplugged" },
    summarize: transition,
  },
  {
    type: "device.registered",
    description: "First registration",
    group: "DEVICE",
    subscribable: true,
    sampleData: { status: "online", firmwareVersion: "2.1.0" },
    summarize: (d) => `first contact${d.firmwareVersion ? `, firmware ${str(d.firmwareVersion)}` : ""}`,
  },
  {
    type: "device.created",
    description: "Device created",
    group: "DEVICE",
    subscribable: true,
    sampleData: { udid: "ce0917198075440c057e", name: "Galaxy Note 8", tags: ["lab-1"], offlineAfterSeconds: 300 },
  },
  {
    type: "device.updated",
    description: "Device updated",
    group: "DEVICE",
    subscribable: true,
    sampleData: { changes: { name: { from: "Galaxy Note 8", to: "Galaxy Note 8 (lab)" } } },
    summarize: (d) => `changed ${keysOf(d.changes)}`,
  },
  {
    type: "device.deleted",
    description: "Device deleted",
    group: "DEVICE",
    subscribable: true,
    sampleData: { udid: "ce0917198075440c057e", name: "Galaxy Note 8" },
  },
  {
    type: "device.firmware.updated",
    description: "Firmware updated",
    group: "DEVICE",
    subscribable: true,
    sampleData: { from: "2.0.3", to: "2.1.0", target: "2.1.0" },
    summarize: (d) => `${str(d.from)} → ${str(d.to)}${d.target ? (d.to === d.target ? " (target reached)" : ` (target ${str(d.target)})`) : ""}`,
  },
  {
    type: "device.config.written",
    description: "Configuration written",
    group: "DEVICE",
    subscribable: true,
    sampleData: {
      version: 4,
      changes: { sampleRate: { from: 30, to: 10 }, "led.mode": { to: "blink" } },
      actor: { userId: 1, email: "ops@example.com" },
    },
    summarize: (d) => `version ${str(d.version)}: ${keysOf(d.changes) || "firmware target"}`,
  },
  {
    type: "device.config.applied",
    description: "Configuration applied",
    group: "DEVICE",
    subscribable: true,
    sampleData: { version: 4 },
    summarize: (d) => `version ${str(d.version)}`,
  },
  {
    type: "device.config.failed",
    description: "Configuration failed",
    group: "DEVICE",
    subscribable: true,
    sampleData: { version: 4, error: "sampleRate: value out of range" },
    summarize: (d) => `version ${str(d.version)}${d.error ? `: ${str(d.error)}` : ""}`,
  },
  {
    type: "device.firmware.update_requested",
    description: "Firmware update requested",
    group: "DEVICE",
    subscribable: true,
    sampleData: { version: 4, from: "2.0.3", target: "2.1.0" },
    summarize: (d) => `${d.from ? `${str(d.from)} → ` : ""}${str(d.target)}`,
  },
  {
    type: "device.telemetry",
    description: "Telemetry",
    group: "DEVICE",
    subscribable: true,
    sampleData: { signals: { temperature: 21.5, battery: 87 } },
    summarize: (d) => keysOf(d.signals),
  },
  {
    type: "device.authentication.failed",
    description: "Authentication failed",
    group: "DEVICE",
    subscribable: true,
    sampleData: { reason: "invalid_token", ip: "203.0.113.7" },
    summarize: (d) => `${str(d.reason)}${d.ip ? ` from ${str(d.ip)}` : ""}`,
  },
  {
    type: "api_key.created",
    description: "API key created",
    group: "API_KEY",
    subscribable: true,
    sampleData: { id: 7, name: "Manufacturing line", scope: "write", prefix: "spk_4fQ2x9", expiresAt: null, createdBy: "ada@example.com" },
  },
  {
    type: "api_key.revoked",
    description: "API key revoked",
    group: "API_KEY",
    subscribable: true,
    sampleData: { id: 7, name: "Manufacturing line", scope: "write", prefix: "spk_4fQ2x9", revokedBy: "ada@example.com" },
  },
  {
    type: "api_key.expired",
    description: "API key expired",
    group: "API_KEY",
    subscribable: true,
    sampleData: { id: 7, name: "Manufacturing line", scope: "write", prefix: "spk_4fQ2x9", expiresAt: "2026-12-01T00:00:00.000Z" },
  },
  {
    type: "webhook.test",
    description: "Test",
    group: "WEBHOOK",
    subscribable: false,
    sampleData: { message: "This is a test event from Signalpost." },
  },
] as const satisfies readonly CatalogEntry[];

export type EventType = (typeof EVENT_CATALOG)[number]["type"];
export const EVENT_TYPES = EVENT_CATALOG.map((e) => e.type) as [EventType, ...EventType[]];
export const SUBSCRIBABLE_EVENT_TYPES = EVENT_CATALOG.filter((e) => e.subscribable).map((e) => e.type) as [
  EventType,
  ...EventType[],
];

const byType = new Map<string, CatalogEntry>(EVENT_CATALOG.map((e) => [e.type, e]));

/** The catalog entry of a type, or undefined for an unknown one. */
export function catalogEntry(type: string): CatalogEntry | undefined {
  return byType.get(type);
}

/** The one-line summary of an event for lists (empty when its type has none, or is unknown). */
export function summarizeEvent(type: string, data: unknown): string {
  const summarize = byType.get(type)?.summarize;
  return summarize ? summarize((data ?? {}) as EventData) : "";
}

/** The sample device used in previews and test events. */
export const SAMPLE_DEVICE = { udid: "ce0917198075440c057e", name: "Galaxy Note 8" } as const;
