/**
 * "Start from" on Create Webhook: integration presets as data (format, method, content type, headers, body
 * template, events). Choosing one fills the form; every field stays editable and the preview shows the result.
 * Pure and isomorphic: the form imports it. Each preset's sample is rendered through the real builder in
 * tests/webhooks/presets.test.ts and checked against the target's format.
 */
import type { NameValue, WebhookFormat, WebhookMethod } from "@/db/schema/webhooks";
import type { EventType } from "@/lib/events/catalog";

export type WebhookPreset = {
  id: "generic" | "slack" | "teams" | "discord" | "influxdb" | "datacake";
  label: string;
  /** One line under the choice: what to paste where. */
  hint: string;
  /** Shown as the URL field's placeholder. */
  urlPlaceholder: string;
  format: WebhookFormat;
  method: WebhookMethod;
  contentType: string;
  bodyTemplate: string;
  headers: NameValue[];
  events: EventType[];
};

const STATUS_EVENTS: EventType[] = ["device.status.online", "device.status.offline", "device.state.unplugged"];

// Chat messages: who, what, status, when. {{…}} values are JSON-escaped (content type application/json).
const CHAT_LINE = "{{deviceName}} ({{deviceUdid}}): {{eventDescription}}{{#data.status}}, status {{data.status}}{{/data.status}} at {{eventTime}}";
// …and a link to the device's page in the portal (APP_URL-based, like email links), in each chat's link syntax
const SLACK_LINK = "{{#deviceUrl}} <{{deviceUrl}}|Open device>{{/deviceUrl}}";
const MARKDOWN_LINK = "{{#deviceUrl}} [Open device]({{deviceUrl}}){{/deviceUrl}}";

export const WEBHOOK_PRESETS: readonly WebhookPreset[] = [
  {
    id: "generic",
    label: "Generic JSON",
    hint: "The standard Signalpost JSON envelope, signed (Standard Webhooks).",
    urlPlaceholder: "https://example.com/webhooks/signalpost",
    format: "json",
    method: "POST",
    contentType: "",
    bodyTemplate: "",
    headers: [],
    events: STATUS_EVENTS,
  },
  {
    id: "slack",
    label: "Slack",
    hint: "Paste a Slack incoming webhook URL (Apps → Incoming Webhooks).",
    urlPlaceholder: "https://hooks.slack.com/services/T000/B000/XXXX",
    format: "custom",
    method: "POST",
    contentType: "application/json",
    bodyTemplate: `{"text":"${CHAT_LINE}${SLACK_LINK}"}`,
    headers: [],
    events: STATUS_EVENTS,
  },
  {
    id: "teams",
    label: "Microsoft Teams",
    hint: "Paste a Teams incoming webhook (or Workflows) URL of the channel.",
    urlPlaceholder: "https://example.webhook.office.com/webhookb2/…",
    format: "custom",
    method: "POST",
    contentType: "application/json",
    bodyTemplate: `{"@type":"MessageCard","@context":"https://schema.org/extensions","summary":"{{deviceName}}: {{eventDescription}}","title":"{{deviceName}}: {{eventDescription}}","text":"${CHAT_LINE}${MARKDOWN_LINK}"{{#deviceUrl}},"potentialAction":[{"@type":"OpenUri","name":"Open device","targets":[{"os":"default","uri":"{{deviceUrl}}"}]}]{{/deviceUrl}}}`,
    headers: [],
    events: STATUS_EVENTS,
  },
  {
    id: "discord",
    label: "Discord",
    hint: "Paste a Discord channel webhook URL (Channel settings → Integrations → Webhooks).",
    urlPlaceholder: "https://discord.com/api/webhooks/…",
    format: "custom",
    method: "POST",
    contentType: "application/json",
    bodyTemplate: `{"username":"Signalpost","content":"${CHAT_LINE}${MARKDOWN_LINK}"}`,
    headers: [],
    events: STATUS_EVENTS,
  },
  {
    id: "influxdb",
    label: "InfluxDB v2 (line protocol)",
    hint: "Your InfluxDB /api/v2/write URL with org, bucket and precision=ms; put your API token after “Token ”.",
    urlPlaceholder: "https://influx.example.com/api/v2/write?org=my-org&bucket=devices&precision=ms",
    format: "custom",
    method: "POST",
    contentType: "text/plain; charset=utf-8",
    // telemetry: one line per signal; any other event: one line with the status as a field
    bodyTemplate:
      "{{#lp.signals}}device_signals,udid={{{lp.udid}}},device={{{lp.name}}} {{{key}}}={{{value}}} {{{lp.time}}}\n{{/lp.signals}}" +
      "{{^lp.signals}}device_events,udid={{{lp.udid}}},device={{{lp.name}}},event={{{lp.event}}} status={{{lp.status}}} {{{lp.time}}}\n{{/lp.signals}}",
    headers: [{ name: "Authorization", value: "Token YOUR_INFLUXDB_TOKEN", secret: true }],
    events: ["device.telemetry", "device.status.online", "device.status.offline"],
  },
  {
    id: "datacake",
    label: "Datacake",
    hint: "Paste the URL of a Datacake API integration; its payload decoder reads udid, status and signals.",
    urlPlaceholder: "https://api.datacake.co/integrations/api/…/",
    format: "custom",
    method: "POST",
    contentType: "application/json",
    bodyTemplate:
      '{"device":"{{deviceUdid}}","name":"{{deviceName}}","event":"{{eventActivity}}","status":"{{data.status}}","time":"{{eventTime}}","envelope":{{{json}}}}',
    headers: [],
    events: ["device.telemetry", "device.status.online", "device.status.offline"],
  },
];

export function presetById(id: string): WebhookPreset | undefined {
  return WEBHOOK_PRESETS.find((p) => p.id === id);
}
