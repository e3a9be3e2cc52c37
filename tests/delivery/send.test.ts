import http from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { sendHttpRequest, RESPONSE_STORE_LIMIT } from "@/lib/delivery/send";
import type { BuiltRequest } from "@/lib/webhooks/types";
import { behaviours } from "../support/receiver";
import { useTestReceiver } from "../support/test-receiver";

const receiver = useTestReceiver();

const allow = { allowPrivate: true };
const request = (path = "/hook", extra: Partial<BuiltRequest> = {}): BuiltRequest => ({
  method: "POST",
  url: `${receiver.url}${path}`,
  headers: { "content-type": "application/json", "webhook-id": "evt_1" },
  body: JSON.stringify({ hello: "wörld" }),
  ...extra,
});

describe("sendHttpRequest", () => {
  it("sends the exact bytes and headers and reports the response", async () => {
    receiver.respondWith({ status: 201, headers: { "x-reply": "yes" }, body: "created" });
    const result = await sendHttpRequest(request("/hook?a=1"), { guard: allow });
    expect(result).toMatchObject({ ok: true, status: 201, body: "created", error: null });
    expect(result.headers["x-reply"]).toBe("yes");
    const [got] = receiver.requests;
    expect(got.path).toBe("/hook?a=1");
    expect(got.body).toBe(JSON.stringify({ hello: "wörld" }));
    expect(got.headers["webhook-id"]).toBe("evt_1");
  });

  it("connects to the checked address while keeping the Host header of the URL", async () => {
    const lookup = async () => [{ address: "127.0.0.1", family: 4 }];
    const result = await sendHttpRequest(request("/x", { url: `http://hooks.internal.test:${receiver.port}/x` }), {
      guard: { allowPrivate: true, lookup },
    });
    expect(result.ok).toBe(true);
    expect(receiver.requests[0].headers.host).toBe(`hooks.internal.test:${receiver.port}`);
  });

  it("refuses private addresses before connecting when they are not allowed", async () => {
    const result = await sendHttpRequest(request(), { guard: { allowPrivate: false } });
    expect(result).toMatchObject({ ok: false, status: null, errorCode: "invalid_url" });
    const https = await sendHttpRequest(request("/", { url: `https://127.0.0.1:${receiver.port}/` }), {
      guard: { allowPrivate: false },
    });
    expect(https).toMatchObject({ ok: false, errorCode: "private_address", error: "URL resolves to a private address (127.0.0.1)" });
    expect(receiver.requests).toHaveLength(0);
  });

  it("does not follow redirects", async () => {
    receiver.respondWith(behaviours.redirect("http://127.0.0.1:1/elsewhere"));
    const result = await sendHttpRequest(request(), { guard: allow });
    expect(result).toMatchObject({ ok: false, status: 302, error: "redirect not followed (Location: http://127.0.0.1:1/elsewhere)" });
    expect(receiver.requests).toHaveLength(1);
  });

  it("times out a hanging receiver with a plain-words error", async () => {
    receiver.respondWith(behaviours.hang());
    const started = Date.now();
    const result = await sendHttpRequest(request(), { guard: allow, timeoutMs: 300 });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(result).toMatchObject({ ok: false, status: null, errorCode: "timeout", error: "timed out after 0.3 s" });
  });

  it("says connection refused when nothing listens", async () => {
    const probe = http.createServer();
    await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const result = await sendHttpRequest(request("/", { url: `http://127.0.0.1:${port}/` }), { guard: allow });
    expect(result).toMatchObject({ ok: false, errorCode: "refused", error: "connection refused" });
  });

  it("keeps at most 16 KB of a large response and stops reading after 64 KB", async () => {
    receiver.respondWith({ status: 200, body: "x".repeat(1024 * 1024) });
    const result = await sendHttpRequest(request(), { guard: allow });
    expect(result.ok).toBe(true);
    expect(result.body.length).toBe(RESPONSE_STORE_LIMIT);
  });

  it("describes non-2xx answers", async () => {
    receiver.respondWith(behaviours.error());
    const result = await sendHttpRequest(request(), { guard: allow });
    expect(result).toMatchObject({ ok: false, status: 500, body: "internal error", error: "receiver answered HTTP 500 (Internal Server Error)" });
  });

  it("reuses keep-alive connections", async () => {
    for (let i = 0; i < 5; i++) await sendHttpRequest(request(), { guard: allow });
    expect(receiver.requests).toHaveLength(5);
  });
});
