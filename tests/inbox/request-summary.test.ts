// The inbox row label: event type and webhook-id instead of the token-bearing path (issue #23).
import { describe, expect, it } from "vitest";
import { summarizeRequest } from "@/lib/inbox/request-summary";

const base = { path: "/api/inbox/AbCdEf0123456789abcdef0123456789", query: "", headers: {}, body: "", bodyEncoding: "utf8" as const, bodyTruncated: false };

describe("summarizeRequest", () => {
  it("reads eventActivity from a JSON delivery and the webhook-id header", () => {
    const s = summarizeRequest({
      ...base,
      headers: { "content-type": "application/json", "webhook-id": "evt_01JD0000000000000000000000" },
      body: JSON.stringify({ eventActivity: "device.status.online", webhookId: 3 }),
    });
    expect(s).toMatchObject({ eventType: "device.status.online", webhookId: "evt_01JD0000000000000000000000" });
  });
  it("reads eventActivity from a form-encoded delivery", () => {
    const s = summarizeRequest({ ...base, headers: { "content-type": "application/x-www-form-urlencoded" }, body: "eventActivity=device.telemetry&x=1" });
    expect(s.eventType).toBe("device.telemetry");
  });
  it("falls back to the path with the token shortened, keeping the query", () => {
    const s = summarizeRequest({ ...base, query: "source=e2e", headers: { "content-type": "text/plain" }, body: "hello" });
    expect(s).toEqual({ eventType: null, webhookId: null, target: "/api/inbox/AbCdEf…?source=e2e" });
    expect(s.target).not.toContain("0123456789abcdef");
  });
  it("ignores hostile or foreign bodies: bad JSON, arrays, non-string or odd types, cut or binary bodies", () => {
    const json = { headers: { "content-type": "application/json" } };
    expect(summarizeRequest({ ...base, ...json, body: "{not json" }).eventType).toBeNull();
    expect(summarizeRequest({ ...base, ...json, body: "[1,2]" }).eventType).toBeNull();
    expect(summarizeRequest({ ...base, ...json, body: '{"eventActivity": {"x": 1}}' }).eventType).toBeNull();
    expect(summarizeRequest({ ...base, ...json, body: '{"eventActivity": "<script>alert(1)</script>"}' }).eventType).toBeNull();
    expect(summarizeRequest({ ...base, ...json, body: '{"eventActivity": "device.status.online"}', bodyTruncated: true }).eventType).toBeNull();
    expect(summarizeRequest({ ...base, ...json, body: "eyJ9", bodyEncoding: "base64" }).eventType).toBeNull();
    expect(summarizeRequest({ ...base, headers: { "webhook-id": "x".repeat(500) } }).webhookId).toBeNull();
  });
});
