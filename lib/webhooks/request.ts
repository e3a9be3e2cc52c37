/**
 * THE request builder: (webhook settings, event envelope) → the exact HTTP request. The form's live preview,
 * test events, the endpoint check and real deliveries all call it, so what an admin previews is what is sent.
 * Pure and isomorphic (no server imports); signing adds the webhook-* headers on top (signing.ts).
 * Over 350 lines on purpose: the builder and its template renderer (with the rendering budget) are one rule — what
 * a receiver gets — and the form, test events and deliveries must all go through exactly this code.
 */
import Mustache from "mustache";
import { version } from "@/package.json";
import { isReservedHeader } from "./http-rules";
import type { NameValue } from "@/db/schema/webhooks";
import type { BuiltRequest, EventEnvelope, WebhookSettings } from "./types";
import { deviceUrl } from "./portal-link";

export const USER_AGENT = `Signalpost-Webhooks/${version}`;
export const DEFAULT_CUSTOM_CONTENT_TYPE = "application/json";

type Escaping = "json" | "form" | "none";

/** How template values are escaped in a custom body with this content type. */
export function escapingFor(contentType: string): Escaping {
  const media = contentType.split(";")[0].trim().toLowerCase();
  if (media === "application/json" || media.endsWith("+json") || media === "text/json") return "json";
  if (media === "application/x-www-form-urlencoded") return "form";
  return "none";
}

function valueToText(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

const escapers: Record<Escaping, (value: unknown) => string> = {
  // the inside of a JSON string: quotes, backslashes, newlines and control characters escaped
  json: (value) => JSON.stringify(valueToText(value)).slice(1, -1),
  form: (value) => encodeURIComponent(valueToText(value)),
  none: valueToText,
};

// InfluxDB line protocol escaping (https://docs.influxdata.com/influxdb/v2/reference/syntax/line-protocol/): no line
// breaks anywhere; tag keys/values and field keys escape commas, equals signs and spaces; string field values escape
// double quotes and backslashes. Empty tag values are not allowed, so they become "-".
const lpOneLine = (v: unknown) => valueToText(v).replace(/[\r\n]+/g, " ");
const lpTag = (v: unknown) => lpOneLine(v).replace(/([,= ])/g, "\\$1") || "-";
const lpString = (v: unknown) => `"${lpOneLine(v).replace(/(["\\])/g, "\\$1")}"`;

/**
 * Line protocol pieces of an envelope for templates (`{{{lp.udid}}}` …, inserted as is): tags, the status as a string
 * field, the event time in ms, and `signals` — one {key, value} per telemetry signal (numbers and booleans as such,
 * anything else as a string field), so a template can write one line per signal.
 */
function lineProtocolView(envelope: EventEnvelope): Record<string, unknown> {
  const signals = envelope.data?.signals;
  return {
    udid: lpTag(envelope.deviceUdid),
    name: lpTag(envelope.deviceName),
    event: lpTag(envelope.eventActivity),
    status: lpString(envelope.data?.status ?? ""),
    time: String(Date.parse(envelope.eventTime) || 0),
    signals:
      signals && typeof signals === "object" && !Array.isArray(signals)
        ? Object.entries(signals as Record<string, unknown>).map(([key, value]) => ({
            key: lpTag(key),
            value: typeof value === "number" && Number.isFinite(value) ? String(value) : typeof value === "boolean" ? String(value) : lpString(value),
          }))
        : [],
  };
}

/**
 * The template variables: the envelope's fields (data.* nested), `json` (the whole envelope as JSON), `lp` (line
 * protocol pieces, see lineProtocolView) and `deviceUrl` (the device's page in the portal under `portalBase`,
 * lib/webhooks/portal-link.ts; null for events about no device). `deviceUrl` is a template variable only: the JSON
 * envelope is unchanged.
 */
export function templateView(envelope: EventEnvelope, portalBase?: string): Record<string, unknown> {
  return { ...envelope, json: JSON.stringify(envelope), lp: lineProtocolView(envelope), deviceUrl: deviceUrl(envelope, portalBase) };
}

/** Options of buildWebhookRequest. */
export type BuildOptions = {
  /** The portal's base URL for `deviceUrl` (default portalBaseUrl(), read on the server; the browser's preview passes the server's value). */
  portalBase?: string;
};

/**
 * The rendering budget of a template (README, "Reliability and security"). Mustache sections repeat everything
 * inside them once per list item, so nesting multiplies: `{{#data.tags}}` nine deep over 10 tags is 10^9 steps.
 * Templates whose sections nest deeper than TEMPLATE_MAX_SECTION_DEPTH are refused when saved, and every render
 * (preview, test event, delivery) stops with a TemplateBudgetError past TEMPLATE_MAX_STEPS tokens visited,
 * TEMPLATE_MAX_OUTPUT characters written or TEMPLATE_MAX_MS, whichever comes first.
 */
export const TEMPLATE_MAX_SECTION_DEPTH = 3;
export const TEMPLATE_MAX_STEPS = 200_000;
export const TEMPLATE_MAX_OUTPUT = 512 * 1024;
export const TEMPLATE_MAX_MS = 250;

/** A render stopped by the budget. Deterministic for a template and event: the delivery fails for good. */
export class TemplateBudgetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TemplateBudgetError";
  }
}

type Tokens = Parameters<Mustache.Writer["renderTokens"]>[0];
type Ctx = Parameters<Mustache.Writer["renderTokens"]>[1];
type Partials = Parameters<Mustache.Writer["renderTokens"]>[2];
type Config = Parameters<Mustache.Writer["renderTokens"]>[4];

/** Mustache's writer, counting steps (tokens visited) and characters written as it goes. */
class BudgetedWriter extends Mustache.Writer {
  private steps = 0;
  private written = 0;
  private readonly startedAt = now();

  override renderTokens(tokens: Tokens, context: Ctx, partials?: Partials, originalTemplate?: string, config?: Config): string {
    this.steps += tokens.length + 1;
    if (this.steps > TEMPLATE_MAX_STEPS) {
      throw new TemplateBudgetError(
        `the template needs more than ${TEMPLATE_MAX_STEPS.toLocaleString("en-US")} rendering steps (sections nested over long lists); simplify it`,
      );
    }
    if (now() - this.startedAt > TEMPLATE_MAX_MS) {
      throw new TemplateBudgetError(`the template took longer than ${TEMPLATE_MAX_MS} ms to render; simplify it`);
    }
    return super.renderTokens(tokens, context, partials, originalTemplate, config);
  }

  private count<T>(value: T): T {
    if (value !== undefined && value !== null) {
      this.written += String(value).length;
      if (this.written > TEMPLATE_MAX_OUTPUT) {
        throw new TemplateBudgetError(`the rendered template is larger than ${Math.round(TEMPLATE_MAX_OUTPUT / 1024)} KB; simplify it`);
      }
    }
    return value;
  }

  override unescapedValue(token: string[], context: Ctx): string {
    return this.count(super.unescapedValue(token, context));
  }

  override escapedValue(token: string[], context: Ctx, config?: Config): string {
    return this.count(super.escapedValue(token, context, config));
  }

  override rawValue(token: string[]): string {
    return this.count(super.rawValue(token));
  }
}

function now(): number {
  return globalThis.performance?.now() ?? Date.now();
}

/**
 * Renders a mustache template within the budget above (throws TemplateBudgetError past it). `{{x}}` is escaped for
 * the target, `{{{x}}}` is inserted as is. Values are never re-parsed as templates, so a device named "{{json}}"
 * stays literal text.
 */
export function renderTemplate(
  template: string,
  view: Record<string, unknown> | (() => Record<string, unknown>),
  escaping: Escaping,
): string {
  if (!template.includes("{{")) return template;
  const tokens = Mustache.parse(template) as unknown as Tokens;
  const context = new Mustache.Context(typeof view === "function" ? view() : view);
  return new BudgetedWriter().renderTokens(tokens, context, undefined, template, { escape: escapers[escaping] });
}

/** How deep sections ({{#x}} / {{^x}}) nest in parsed tokens (iterative: a hostile template cannot overflow the stack). */
function sectionDepth(tokens: unknown[]): number {
  let max = 0;
  const stack: [unknown[], number][] = [[tokens, 0]];
  while (stack.length > 0) {
    const [list, depth] = stack.pop()!;
    max = Math.max(max, depth);
    for (const t of list) {
      const token = t as unknown[];
      if ((token[0] === "#" || token[0] === "^") && Array.isArray(token[4])) stack.push([token[4], depth + 1]);
    }
  }
  return max;
}

/** Checks that a template parses (unclosed tags, bad sections) and nests within budget; the problem in words or null. */
export function templateProblem(template: string): string | null {
  let tokens: unknown[];
  try {
    tokens = Mustache.parse(template) as unknown[];
  } catch (err) {
    return `Template error: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`;
  }
  const depth = sectionDepth(tokens);
  if (depth > TEMPLATE_MAX_SECTION_DEPTH) {
    return `Template error: sections nest ${depth} levels deep; at most ${TEMPLATE_MAX_SECTION_DEPTH} are allowed (each level repeats everything inside it for every list item).`;
  }
  return null;
}

/** Flattens an object into form fields: {data:{status:"x", tags:["a"]}} → data.status=x, data.tags[0]=a. */
export function flattenForForm(value: unknown, prefix = "", out: [string, string][] = []): [string, string][] {
  if (Array.isArray(value)) {
    if (value.length === 0 && prefix) out.push([prefix, ""]);
    value.forEach((item, i) => flattenForForm(item, `${prefix}[${i}]`, out));
  } else if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0 && prefix) out.push([prefix, ""]);
    for (const [k, v] of entries) flattenForForm(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (prefix) {
    out.push([prefix, value === null || value === undefined ? "" : String(value)]);
  }
  return out;
}

function formEncode(pairs: [string, string][]): string {
  return new URLSearchParams(pairs).toString();
}

/** A header value safe to send: templates may bring line breaks from event data, which become spaces. */
function safeHeaderValue(value: string): string {
  return value.replace(/[\r\n\0]+/g, " ").trim();
}

function base64Utf8(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

/** Appends query parameters to a URL, keeping any it already has. Works on a half-typed URL too (preview). */
function withQuery(url: string, params: [string, string][]): string {
  if (params.length === 0) return url;
  try {
    const parsed = new URL(url);
    for (const [name, value] of params) parsed.searchParams.append(name, value);
    return parsed.toString();
  } catch {
    const [base, hash = ""] = url.split("#", 2);
    const sep = base.includes("?") ? (base.endsWith("?") || base.endsWith("&") ? "" : "&") : "?";
    return `${base}${sep}${formEncode(params)}${hash ? `#${hash}` : ""}`;
  }
}

/**
 * Builds the HTTP request for one event. `body` is the exact string that is signed and sent.
 * Throws when a template does not parse (the schema refuses those on save) or a render exceeds its budget
 * (TemplateBudgetError): both are deterministic, so a delivery that cannot be built fails for good.
 */
export function buildWebhookRequest(settings: WebhookSettings, envelope: EventEnvelope, options: BuildOptions = {}): BuiltRequest {
  // the template view is built only when a template needs it (its `json` variable stringifies the whole envelope)
  let viewCache: Record<string, unknown> | undefined;
  const view = () => (viewCache ??= templateView(envelope, options.portalBase));
  let body: string;
  let contentType: string;
  switch (settings.format) {
    case "form":
      contentType = "application/x-www-form-urlencoded";
      body = formEncode(flattenForForm(envelope));
      break;
    case "custom":
      contentType = settings.contentType?.trim() || DEFAULT_CUSTOM_CONTENT_TYPE;
      body = renderTemplate(settings.bodyTemplate ?? "", view, escapingFor(contentType));
      break;
    default:
      contentType = "application/json";
      body = JSON.stringify(envelope);
  }

  const query: [string, string][] = [];
  for (const p of settings.queryParams) if (p.name) query.push([p.name, renderTemplate(p.value, view, "none")]);

  const headers: Record<string, string> = {};
  const auth = settings.auth;
  for (const h of settings.headers) {
    if (!h.name || isReservedHeader(h.name)) continue;
    if (auth.type !== "none" && h.name.toLowerCase() === "authorization") continue;
    headers[h.name] = safeHeaderValue(renderTemplate(h.value, view, "none"));
  }
  if (auth.type === "basic") headers.authorization = `Basic ${base64Utf8(`${auth.username}:${auth.password}`)}`;
  if (auth.type === "bearer") headers.authorization = `Bearer ${auth.token}`;
  // set last, so nothing above can override them
  headers["content-type"] = contentType;
  headers["user-agent"] = USER_AGENT;

  const built: BuiltRequest = { method: settings.method, url: withQuery(settings.url, query), headers, body };
  if (settings.headers.length || settings.queryParams.length) {
    const secretHeaders = settings.headers.filter((h) => h.secret && h.name).map((h) => h.name.toLowerCase());
    const secretQuery = settings.queryParams.filter((p) => p.secret && p.name).map((p) => p.name);
    if (secretHeaders.length || secretQuery.length) built.secretNames = { headers: secretHeaders, query: secretQuery };
  }
  return built;
}

/** The Standard Webhooks headers signing adds on top of the built request (signing.ts), by name. */
export const SIGNATURE_HEADERS = ["webhook-id", "webhook-timestamp", "webhook-signature"] as const;

/** What each signature header holds, in words (the form and the preview show these instead of values). */
export const SIGNATURE_HEADER_NOTES: Record<(typeof SIGNATURE_HEADERS)[number], string> = {
  "webhook-id": "event id (same on every retry)",
  "webhook-timestamp": "computed at send time",
  "webhook-signature": "computed at send time",
};

const BLANK_ENVELOPE: EventEnvelope = {
  eventId: "",
  creationTime: "",
  eventTime: "",
  eventType: "WEBHOOK",
  eventActivity: "",
  eventDescription: "",
  deviceUdid: null,
  deviceName: null,
  orgId: 0,
  webhookId: null,
  webhookName: "",
  data: {},
};

/**
 * The headers every request of these settings carries whatever the custom headers say: the ones the builder sets
 * itself (built with no custom headers and no auth, so only its own remain) and the signature headers. The form
 * shows them read-only.
 */
export function prefilledHeaders(settings: Pick<WebhookSettings, "method" | "format" | "contentType">): NameValue[] {
  const own = buildWebhookRequest(
    { id: null, name: "", url: "", method: settings.method, format: settings.format, contentType: settings.contentType, bodyTemplate: "", headers: [], queryParams: [], auth: { type: "none" } },
    BLANK_ENVELOPE,
  ).headers;
  return [
    ...Object.entries(own).map(([name, value]) => ({ name, value })),
    ...SIGNATURE_HEADERS.map((name) => ({ name, value: SIGNATURE_HEADER_NOTES[name] })),
  ];
}

const MASK = "••••••";
/** What a secret query value becomes in a logged URL (URL-safe, unlike MASK). */
const QUERY_MASK = "***";

/** A URL with the values of the named query parameters replaced by QUERY_MASK. */
function maskQuery(url: string, names: string[]): string {
  if (names.length === 0) return url;
  try {
    const parsed = new URL(url);
    const params = [...parsed.searchParams];
    if (!params.some(([name]) => names.includes(name))) return url;
    parsed.search = new URLSearchParams(params.map(([n, v]): [string, string] => [n, names.includes(n) ? QUERY_MASK : v])).toString();
    return parsed.toString();
  } catch {
    return url.replace(/([?&])([^=&#]+)=([^&#]*)/g, (m, sep: string, name: string) =>
      names.includes(decodeURIComponent(name)) ? `${sep}${name}=${QUERY_MASK}` : m,
    );
  }
}

/**
 * A copy of a request with credentials masked, for previews and logs: the Authorization value (its scheme kept),
 * and the values of headers and query parameters marked secret.
 */
export function maskAuth(built: BuiltRequest): BuiltRequest {
  const secretHeaders = built.secretNames?.headers ?? [];
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(built.headers)) {
    const lower = name.toLowerCase();
    if (lower === "authorization") {
      const scheme = value.split(" ")[0];
      headers[name] = /^(basic|bearer)$/i.test(scheme) ? `${scheme} ${MASK}` : MASK;
    } else if (secretHeaders.includes(lower)) {
      headers[name] = MASK;
    } else {
      headers[name] = value;
    }
  }
  return { method: built.method, url: maskQuery(built.url, built.secretNames?.query ?? []), headers, body: built.body };
}

/** The body pretty-printed for reading: JSON indented, forms one field per line, anything else as is. */
export function prettyBody(built: BuiltRequest): string {
  const type = built.headers["content-type"] ?? "";
  const escaping = escapingFor(type);
  if (escaping === "json") {
    try {
      return JSON.stringify(JSON.parse(built.body), null, 2);
    } catch {
      return built.body;
    }
  }
  if (escaping === "form") {
    return Array.from(new URLSearchParams(built.body), ([k, v]) => `${k}=${v}`).join("\n");
  }
  return built.body;
}
