import http from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { closeSendPools, sendHttpRequest, RESPONSE_READ_LIMIT, RESPONSE_STORE_LIMIT } from "@/lib/delivery/send";
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
    expect(result.body).toBe("x".repeat(RESPONSE_STORE_LIMIT));
    // the bytes read: at least 64 KB, and not much more (one chunk past the limit at most), of the 1 MB sent
    expect(RESPONSE_READ_LIMIT).toBe(64 * 1024);
    expect(result.bytesRead).toBeGreaterThanOrEqual(RESPONSE_READ_LIMIT);
    expect(result.bytesRead).toBeLessThan(RESPONSE_READ_LIMIT + 64 * 1024);
  });

  it("stops reading an endless response after 64 KB instead of waiting for its end", async () => {
    const endless = http.createServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      const chunk = Buffer.alloc(8 * 1024, "y");
      const pump = () => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once("drain", pump);
      };
      pump();
    });
    await new Promise<void>((r) => endless.listen(0, "127.0.0.1", r));
    try {
      const port = (endless.address() as AddressInfo).port;
      const started = Date.now();
      const result = await sendHttpRequest(request("/", { url: `http://127.0.0.1:${port}/` }), { guard: allow, timeoutMs: 5_000 });
      expect(Date.now() - started).toBeLessThan(4_000);
      expect(result).toMatchObject({ ok: true, status: 200, errorCode: null });
      expect(result.bytesRead).toBeGreaterThanOrEqual(RESPONSE_READ_LIMIT);
      expect(result.bytesRead).toBeLessThan(RESPONSE_READ_LIMIT + 64 * 1024);
    } finally {
      endless.closeAllConnections();
      await new Promise<void>((r) => endless.close(() => r()));
    }
  });

  it("describes non-2xx answers", async () => {
    receiver.respondWith(behaviours.error());
    const result = await sendHttpRequest(request(), { guard: allow });
    expect(result).toMatchObject({ ok: false, status: 500, body: "internal error", error: "receiver answered HTTP 500 (Internal Server Error)" });
  });

  it("reuses keep-alive connections", async () => {
    // a server of its own, so the connections it accepts can be counted
    let connections = 0;
    const seen: (string | undefined)[] = [];
    const server = http.createServer((req, res) => {
      seen.push(req.headers.connection);
      req.resume();
      req.on("end", () => res.end("ok"));
    });
    server.keepAliveTimeout = 10_000;
    server.on("connection", () => connections++);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
      for (let i = 0; i < 10; i++) expect((await sendHttpRequest(request("/", { url }), { guard: allow })).ok).toBe(true);
      expect(seen).toHaveLength(10);
      // ten sequential requests over one or two TCP connections (the pool may open a second while the first is
      // being returned); with keep-alive off there would be ten
      expect(connections).toBeLessThanOrEqual(2);
      expect(seen.every((c) => c !== "close")).toBe(true);
    } finally {
      await closeSendPools();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it("times out a receiver that sends its headers and then hangs mid-body, within the timeout plus a little", async () => {
    const dripping = http.createServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.write("first part"); // then nothing, the connection held open
    });
    await new Promise<void>((r) => dripping.listen(0, "127.0.0.1", r));
    try {
      const port = (dripping.address() as AddressInfo).port;
      const started = performance.now();
      const result = await sendHttpRequest(request("/", { url: `http://127.0.0.1:${port}/` }), { guard: allow, timeoutMs: 400 });
      const took = performance.now() - started;
      expect(result).toMatchObject({ ok: false, status: null, errorCode: "timeout", error: "timed out after 0.4 s" });
      expect(took).toBeGreaterThanOrEqual(390);
      expect(took).toBeLessThan(400 + 300);
    } finally {
      dripping.closeAllConnections();
      await new Promise<void>((r) => dripping.close(() => r()));
    }
  });

  it("times out many hanging requests at once, each after its own timeout", async () => {
    receiver.respondWith(behaviours.hang());
    const started = performance.now();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => sendHttpRequest(request(`/h${i}`), { guard: allow, timeoutMs: 300 + (i % 4) * 100 })),
    );
    expect(results.every((r) => r.errorCode === "timeout")).toBe(true);
    expect(performance.now() - started).toBeLessThan(600 + 300);
    // each stopped after its own timeout, not the shortest one
    for (const [i, r] of results.entries()) expect(r.durationMs).toBeGreaterThanOrEqual(300 + (i % 4) * 100 - 10);
  });

  it("reports a cancelled request as cancelled, not timed out", async () => {
    receiver.respondWith(behaviours.hang());
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const result = await sendHttpRequest(request(), { guard: allow, timeoutMs: 5_000, signal: controller.signal });
    expect(result).toMatchObject({ ok: false, error: "request cancelled" });
    expect(result.durationMs).toBeLessThan(2_000);
  });

  it("with a targets map, checks a URL once for many requests and still refuses a private address", async () => {
    let lookups = 0;
    const lookup = async () => {
      lookups++;
      return [{ address: "127.0.0.1", family: 4 }];
    };
    const url = `http://hooks.internal.test:${receiver.port}/x`;
    const targets = new Map();
    for (let i = 0; i < 5; i++) {
      expect((await sendHttpRequest(request("/x", { url }), { guard: { allowPrivate: true, lookup }, targets })).ok).toBe(true);
    }
    expect(lookups).toBe(1);
    expect(receiver.requests).toHaveLength(5);

    // the same name resolving to loopback with private targets not allowed: refused before connecting, every time
    const refusing = new Map();
    for (let i = 0; i < 3; i++) {
      const result = await sendHttpRequest(request("/x", { url: `https://hooks.internal.test:${receiver.port}/x` }), {
        guard: { allowPrivate: false, lookup },
        targets: refusing,
      });
      expect(result).toMatchObject({ ok: false, errorCode: "private_address" });
    }
    expect(receiver.requests).toHaveLength(5);
  });

  it("stores NUL-free text and cuts no character in half at the 16 KB limit", async () => {
    receiver.respondWith({ status: 200, body: "a\u0000b" + "é".repeat(RESPONSE_STORE_LIMIT) });
    const result = await sendHttpRequest(request(), { guard: allow });
    expect(result.body.startsWith("a\uFFFDb")).toBe(true);
    expect(result.body).not.toContain("\u0000");
    expect(result.body.endsWith("é")).toBe(true);
    expect(Buffer.byteLength(result.body.replace("\uFFFD", "\u0000"))).toBeLessThanOrEqual(RESPONSE_STORE_LIMIT);
  });
});
