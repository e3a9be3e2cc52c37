import { describe, expect, it } from "vitest";
import { EVENT_CATALOG, SAMPLE_DEVICE } from "@/lib/events/catalog";
import { buildEventEnvelope, sampleEvent } from "@/lib/webhooks/envelope";
import { headerNameProblem, valueProblem } from "@/lib/webhooks/http-rules";
import { previewAuth, settingsFromInput } from "@/lib/webhooks/form-settings";
import { buildWebhookRequest, flattenForForm, maskAuth, prefilledHeaders, prettyBody, templateProblem, USER_AGENT } from "@/lib/webhooks/request";
import type { WebhookAuth } from "@/lib/webhooks/types";
import { version } from "@/package.json";
import { webhookSettings } from "../support/webhook-fixtures";

const NOW = new Date("2026-11-23T10:00:00.000Z");

const settings = webhookSettings;

function envelope(overrides: { deviceName?: string; data?: Record<string, unknown> } = {}) {
  const event = sampleEvent("device.status.offline", 2, NOW, "evt_01JD0000000000000000000000");
  if (overrides.deviceName !== undefined) event.deviceName = overrides.deviceName;
  if (overrides.data) event.payload = overrides.data;
  return buildEventEnvelope(event, { id: 129, name: "Webhook for All events" }, NOW);
}

describe("buildEventEnvelope", () => {
  it("has the Kobiton fields of the envelope reference (README, Webhooks: the request)", () => {
    expect(envelope()).toEqual({
      eventId: "evt_01JD0000000000000000000000",
      creationTime: "2026-11-23T10:00:00.000Z",
      eventTime: "2026-11-23T10:00:00.000Z",
      eventType: "DEVICE",
      eventActivity: "device.status.offline",
      eventDescription: "Offline",
      deviceUdid: SAMPLE_DEVICE.udid,
      deviceName: SAMPLE_DEVICE.name,
      orgId: 2,
      webhookId: 129,
      webhookName: "Webhook for All events",
      data: { previousStatus: "online", status: "offline", reason: "timeout" },
    });
  });

  it("creationTime is when this callback is sent, eventTime when the event happened", () => {
    const event = sampleEvent("device.status.offline", 2, NOW, "evt_01JD0000000000000000000000");
    const sentAt = new Date(NOW.getTime() + 3 * 3_600_000);
    const env = buildEventEnvelope(event, { id: 129, name: "W" }, sentAt);
    expect(env.creationTime).toBe(sentAt.toISOString());
    expect(env.eventTime).toBe(NOW.toISOString());
  });

  it.each(EVENT_CATALOG.map((e) => [e.type, e]))("%s: description, group and sample data come from the catalog", (type, entry) => {
    const ev = sampleEvent(entry.type, 7, NOW);
    expect(ev.id).toMatch(/^evt_[0-9A-HJKMNP-TV-Z]{26}$/);
    const env = buildEventEnvelope(ev, { id: null, name: "Unsaved" });
    expect(env.eventActivity).toBe(type);
    expect(env.eventDescription).toBe(entry.description);
    expect(env.eventType).toBe(entry.group);
    expect(env.data).toEqual(entry.sampleData);
    expect(env.webhookId).toBeNull();
  });

  // every format builds for every type, exactly: the body a receiver parses back to the envelope, and the headers
  it.each(EVENT_CATALOG.map((e) => [e.type, e]))("%s: every format builds (json, form, custom), body and headers exact", (_type, entry) => {
    const env = buildEventEnvelope(sampleEvent(entry.type, 7, NOW), { id: 129, name: "W" }, NOW);
    const base = { "user-agent": USER_AGENT };

    const json = buildWebhookRequest(settings({ format: "json" }), env);
    expect(json).toEqual({ method: "POST", url: "https://hooks.example.com/in", headers: { ...base, "content-type": "application/json" }, body: JSON.stringify(env) });
    expect(JSON.parse(json.body)).toEqual(env);

    const form = buildWebhookRequest(settings({ format: "form" }), env);
    expect(form.headers).toEqual({ ...base, "content-type": "application/x-www-form-urlencoded" });
    // an independent flattening (dots for objects, [i] for arrays), compared pair by pair, in order
    const leaves: [string, string][] = [];
    const walk = (v: unknown, key: string) => {
      if (Array.isArray(v)) return v.length ? v.forEach((x, i) => walk(x, `${key}[${i}]`)) : leaves.push([key, ""]);
      if (v && typeof v === "object") {
        const entries = Object.entries(v);
        if (entries.length === 0 && key) leaves.push([key, ""]);
        return entries.forEach(([k, x]) => walk(x, key ? `${key}.${k}` : k));
      }
      leaves.push([key, v == null ? "" : String(v)]);
    };
    walk(env, "");
    expect([...new URLSearchParams(form.body).entries()]).toEqual(leaves);
    expect(new URLSearchParams(form.body).get("eventActivity")).toBe(entry.type);

    const custom = buildWebhookRequest(settings({ format: "custom", bodyTemplate: '{"s":"{{data.status}}","all":{{{json}}}}' }), env);
    expect(custom.headers).toEqual({ ...base, "content-type": "application/json" });
    const status = (env.data as { status?: unknown }).status;
    expect(JSON.parse(custom.body)).toEqual({ s: status == null ? "" : String(status), all: env });
  });

  it("sample events get unique ids", () => {
    const ids = new Set(Array.from({ length: 50 }, () => sampleEvent("webhook.test", 1, NOW).id));
    expect(ids.size).toBe(50);
  });
});

const AUTHS: WebhookAuth[] = [
  { type: "none" },
  { type: "basic", username: "ops", password: "p@ss:wörd" },
  { type: "bearer", token: "tok_123" },
];

describe("buildWebhookRequest: every format × method × auth", () => {
  const cases = (["json", "form", "custom"] as const).flatMap((format) =>
    (["POST", "PUT", "PATCH"] as const).flatMap((method) => AUTHS.map((auth) => [format, method, auth.type, auth] as const)),
  );
  it.each(cases)("%s %s auth=%s", (format, method, _t, auth) => {
    const built = buildWebhookRequest(
      settings({
        format,
        method,
        auth,
        bodyTemplate: format === "custom" ? '{"udid":"{{deviceUdid}}","status":"{{data.status}}"}' : null,
        contentType: format === "custom" ? "application/json" : null,
        headers: [{ name: "X-Team", value: "ops" }],
      }),
      envelope(),
    );
    expect(built.method).toBe(method);
    expect(built.url).toBe("https://hooks.example.com/in");
    expect(built.headers["user-agent"]).toBe(`Signalpost-Webhooks/${version}`);
    expect(built.headers["X-Team"]).toBe("ops");
    if (format === "json") {
      expect(built.headers["content-type"]).toBe("application/json");
      expect(JSON.parse(built.body)).toEqual(envelope());
      expect(built.body).toBe(JSON.stringify(envelope()));
    } else if (format === "form") {
      expect(built.headers["content-type"]).toBe("application/x-www-form-urlencoded");
      const form = new URLSearchParams(built.body);
      expect(form.get("data.status")).toBe("offline");
      expect(form.get("deviceName")).toBe("Galaxy Note 8");
      expect(form.get("webhookId")).toBe("129");
    } else {
      expect(built.headers["content-type"]).toBe("application/json");
      expect(JSON.parse(built.body)).toEqual({ udid: SAMPLE_DEVICE.udid, status: "offline" });
    }
    if (auth.type === "none") expect(built.headers.authorization).toBeUndefined();
    if (auth.type === "basic") {
      expect(built.headers.authorization).toBe(`Basic ${Buffer.from("ops:p@ss:wörd").toString("base64")}`);
      expect(maskAuth(built).headers.authorization).toBe("Basic ••••••");
    }
    if (auth.type === "bearer") {
      expect(built.headers.authorization).toBe("Bearer tok_123");
      expect(maskAuth(built).headers.authorization).toBe("Bearer ••••••");
    }
  });
});

const HOSTILE = 'Lab "A" & B\nline2 {{json}} \\ ünïcødé 🚀 a=b&c=d';

describe("template escaping with hostile values", () => {
  it("JSON content type: the body stays valid JSON and round-trips the value", () => {
    const built = buildWebhookRequest(
      settings({ format: "custom", contentType: "application/json", bodyTemplate: '{"name":"{{deviceName}}","data":{{{json}}}}' }),
      envelope({ deviceName: HOSTILE }),
    );
    const parsed = JSON.parse(built.body);
    expect(parsed.name).toBe(HOSTILE);
    expect(parsed.data.deviceName).toBe(HOSTILE);
  });

  it("application/*+json is escaped as JSON too", () => {
    const built = buildWebhookRequest(
      settings({ format: "custom", contentType: "application/vnd.api+json; charset=utf-8", bodyTemplate: '{"n":"{{deviceName}}"}' }),
      envelope({ deviceName: HOSTILE }),
    );
    expect(JSON.parse(built.body).n).toBe(HOSTILE);
  });

  it("form content type: values are URL-encoded, so & and = never split fields", () => {
    const built = buildWebhookRequest(
      settings({ format: "custom", contentType: "application/x-www-form-urlencoded", bodyTemplate: "name={{deviceName}}&status={{data.status}}" }),
      envelope({ deviceName: HOSTILE }),
    );
    const form = new URLSearchParams(built.body);
    expect(form.get("name")).toBe(HOSTILE);
    expect(form.get("status")).toBe("offline");
    expect([...form.keys()]).toEqual(["name", "status"]);
  });

  it("text/plain: values inserted as they are, no HTML escaping", () => {
    const built = buildWebhookRequest(
      settings({ format: "custom", contentType: "text/plain", bodyTemplate: "Device {{deviceName}} is {{data.status}}" }),
      envelope({ deviceName: 'A & "B" <c>' }),
    );
    expect(built.body).toBe('Device A & "B" <c> is offline');
  });

  it("Form format flattens nested objects and indexes arrays, escaping hostile values", () => {
    const built = buildWebhookRequest(settings({ format: "form" }), envelope({ deviceName: HOSTILE, data: { tags: ["a&b", "c"], nested: { x: 1 }, empty: null } }));
    const form = new URLSearchParams(built.body);
    expect(form.get("deviceName")).toBe(HOSTILE);
    expect(form.get("data.tags[0]")).toBe("a&b");
    expect(form.get("data.tags[1]")).toBe("c");
    expect(form.get("data.nested.x")).toBe("1");
    expect(form.get("data.empty")).toBe("");
  });

  it("flattenForForm keeps empty containers as empty fields", () => {
    expect(flattenForForm({ a: [], b: {}, c: { d: false } })).toEqual([
      ["a", ""],
      ["b", ""],
      ["c.d", "false"],
    ]);
  });

  it("header and query templates: line breaks from event data never reach a header", () => {
    const built = buildWebhookRequest(
      settings({
        url: "https://hooks.example.com/in?fixed=1",
        headers: [{ name: "X-Device", value: "{{deviceName}}" }],
        queryParams: [
          { name: "device", value: "{{deviceName}}" },
          { name: "status", value: "{{data.status}}" },
        ],
      }),
      envelope({ deviceName: "evil\r\nX-Injected: 1" }),
    );
    expect(built.headers["X-Device"]).toBe("evil X-Injected: 1");
    expect(Object.keys(built.headers)).not.toContain("X-Injected");
    const url = new URL(built.url);
    expect(url.searchParams.get("fixed")).toBe("1");
    expect(url.searchParams.get("device")).toBe("evil\r\nX-Injected: 1");
    expect(url.searchParams.get("status")).toBe("offline");
  });

  it("reports template syntax errors in words", () => {
    expect(templateProblem('{"a":"{{deviceName"}')).toMatch(/Template error/);
    expect(templateProblem("{{#data}}x")).toMatch(/Template error/);
    expect(templateProblem("{{data.status}}")).toBeNull();
  });
});

describe("pre-filled headers cannot be overridden", () => {
  it("content-type, user-agent and webhook-* in custom headers are ignored by the builder", () => {
    const built = buildWebhookRequest(
      settings({
        headers: [
          { name: "Content-Type", value: "text/evil" },
          { name: "User-Agent", value: "evil" },
          { name: "webhook-signature", value: "v1,forged" },
          { name: "Host", value: "evil.example" },
          { name: "X-Ok", value: "1" },
        ],
      }),
      envelope(),
    );
    expect(built.headers).toEqual({ "X-Ok": "1", "content-type": "application/json", "user-agent": USER_AGENT });
  });

  it("a custom Authorization header is replaced when an auth type is set", () => {
    const built = buildWebhookRequest(
      settings({ headers: [{ name: "Authorization", value: "Token x" }], auth: { type: "bearer", token: "t" } }),
      envelope(),
    );
    expect(built.headers.authorization).toBe("Bearer t");
    expect(built.headers.Authorization).toBeUndefined();
  });
});

describe("header and query rules", () => {
  it.each([
    ["X-Api-Key", null],
    ["x_custom.v2", null],
    ["Bad Name", /not a valid header name/],
    ["Bad:Name", /not a valid header name/],
    ["Content-Type", /set by Signalpost/],
    ["user-agent", /set by Signalpost/],
    ["Webhook-Id", /set by Signalpost/],
    ["webhook-anything", /set by Signalpost/],
    ["Content-Length", /managed by the HTTP client/],
    ["", /required/],
  ])("header name %j", (name, expected) => {
    const problem = headerNameProblem(name);
    if (expected === null) expect(problem).toBeNull();
    else expect(problem).toMatch(expected);
  });

  it.each([["a\r\nb"], ["a\nb"], ["a\rb"], ["a\0b"]])("value %j with a line break is refused", (value) => {
    expect(valueProblem(value)).toMatch(/Line breaks/);
  });

  it("ordinary values pass", () => {
    expect(valueProblem("Bearer {{deviceUdid}} ünï")).toBeNull();
  });
});

describe("prettyBody", () => {
  it("indents JSON and splits forms", () => {
    const json = buildWebhookRequest(settings(), envelope());
    expect(prettyBody(json)).toContain('\n  "eventId"');
    const form = buildWebhookRequest(settings({ format: "form" }), envelope());
    expect(prettyBody(form).split("\n")).toContain("data.status=offline");
  });
});

describe("prefilledHeaders (the form's locked header list, derived from the builder)", () => {
  it.each([
    ["json", null, "application/json"],
    ["form", null, "application/x-www-form-urlencoded"],
    ["custom", "text/plain; charset=utf-8", "text/plain; charset=utf-8"],
    ["custom", "", "application/json"],
  ] as const)("%s (%j) lists what the builder sets, then the signature headers", (format, contentType, expected) => {
    expect(prefilledHeaders({ method: "PUT", format, contentType })).toEqual([
      { name: "content-type", value: expected },
      { name: "user-agent", value: USER_AGENT },
      { name: "webhook-id", value: "event id (same on every retry)" },
      { name: "webhook-timestamp", value: "computed at send time" },
      { name: "webhook-signature", value: "computed at send time" },
    ]);
  });

  it("names every header a real request carries that a custom header cannot set", () => {
    const built = buildWebhookRequest(settings({ headers: [{ name: "X-Team", value: "ops" }] }), envelope());
    const locked = prefilledHeaders(settings()).map((h) => h.name);
    for (const name of Object.keys(built.headers).filter((n) => n !== "X-Team")) expect(locked).toContain(name);
    for (const name of locked) expect(headerNameProblem(name)).toMatch(/set by Signalpost/);
  });
});

describe("settingsFromInput (one form → settings mapping for the action, the endpoint check and the preview)", () => {
  const input = {
    name: "",
    url: "https://hooks.example.com/in",
    method: "PATCH" as const,
    format: "json" as const,
    bodyTemplate: "{{json}}",
    contentType: "text/plain",
    headers: [{ name: "X-A", value: "1" }],
    queryParams: [{ name: "q", value: "{{eventActivity}}" }],
    authType: "basic" as const,
    authUsername: "ops",
    authPassword: "",
    authToken: "",
  };
  it("drops the template and content type unless the format is custom, and names an unsaved webhook", () => {
    const s = settingsFromInput(input, null, { type: "none" });
    expect(s).toMatchObject({ id: null, name: "Unsaved webhook", method: "PATCH", bodyTemplate: null, contentType: null });
    expect(settingsFromInput({ ...input, format: "custom" }, 4, { type: "none" })).toMatchObject({ id: 4, bodyTemplate: "{{json}}", contentType: "text/plain" });
  });
  it("the preview's credentials stand in for blank stored ones and are masked", () => {
    const built = maskAuth(buildWebhookRequest(settingsFromInput(input, 4, previewAuth(input)), envelope()));
    expect(built.headers.authorization).toBe("Basic ••••••");
    expect(previewAuth({ ...input, authType: "bearer", authToken: "t" })).toEqual({ type: "bearer", token: "t" });
  });
});
