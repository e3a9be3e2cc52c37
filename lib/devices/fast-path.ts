import "server-only";
import type { IncomingMessage, ServerResponse } from "node:http";
import { BodyCutOff, declaresMoreThan, type BodyRead } from "@/lib/http/body";
import { errorBody } from "@/lib/http/json";
import { HSTS_HEADER, hstsAlways, SECURITY_HEADERS } from "@/lib/http/security-headers.mjs";
import { kickOutsideRequests } from "@/lib/delivery/kick";
import { answerDeviceReport, SIGNALS_REPORT, STATUS_REPORT, type DeviceAnswer, type DeviceReport } from "./api";

/**
 * The production server's fast path for the device report routes (scripts/server.ts): `POST
 * /api/v1/devices/{udid}/status` and `/signals` are answered here, straight from Node's request, by the same
 * `answerDeviceReport` the Next route handlers call — same checks, same answers, same metrics. Every other
 * request (other methods, paths that only normalize to these, a trailing slash) goes to Next.js as before.
 *
 * Why: the status API is the one route devices call at fleet rate. Next.js spends ~0.9 ms of CPU on every request
 * before a route handler runs (a web Request with its streams and AbortSignal, routing, async context), more than
 * the report itself costs, and the objects it leaves behind were most of the server's garbage (BENCHMARKS.md).
 * `next dev` keeps serving these routes through the route handlers.
 */

// This module's copy of the kick runs in a long-lived server, outside any Next request: no after() to call. (So this
// module is imported by scripts/server.ts and tests only, never by app/ code, whose kicks need after() on Vercel.)
kickOutsideRequests();

const ROUTE = /^\/api\/v1\/devices\/([^/]+)\/(status|signals)$/;
const REPORTS: Record<string, DeviceReport> = { status: STATUS_REPORT, signals: SIGNALS_REPORT };

/** Answers the request if it is a device report and returns true; false leaves it to Next.js untouched. */
export function serveDeviceReport(req: IncomingMessage, res: ServerResponse): boolean {
  if (req.method !== "POST" || !req.url) return false;
  const q = req.url.indexOf("?");
  const match = ROUTE.exec(q === -1 ? req.url : req.url.slice(0, q));
  if (!match) return false;
  void answer(req, res, match[1], REPORTS[match[2]]);
  return true;
}

async function answer(req: IncomingMessage, res: ServerResponse, udid: string, report: DeviceReport): Promise<void> {
  try {
    const result = await answerDeviceReport({ udid, headers: nodeHeaders(req), body: (cap) => readNodeBody(req, cap) }, report);
    send(req, res, result);
  } catch (err) {
    // answerDeviceReport answers every failure itself; this is a failure to write the answer
    console.error("[device-api] could not answer:", err);
    if (!res.headersSent) send(req, res, { status: 500, body: errorBody("internal_error", "Something went wrong on our side.") });
    else res.destroy();
  }
}

/** A request's headers as the device API reads them: X-Forwarded-For filled with the peer's address, as `next start` does. */
function nodeHeaders(req: IncomingMessage): Pick<Headers, "get"> {
  return {
    get(name: string): string | null {
      const value = req.headers[name];
      if (value === undefined) return name === "x-forwarded-for" ? (req.socket.remoteAddress ?? null) : null;
      return Array.isArray(value) ? value.join(", ") : value;
    },
  };
}

/** The body, up to `cap` bytes: a declared or actual length past it is refused without reading the rest. */
export function readNodeBody(req: IncomingMessage, cap: number): Promise<BodyRead> {
  if (declaresMoreThan(req.headers["content-length"], cap)) return Promise.resolve({ ok: false, reason: "too_large" });
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const onData = (chunk: Buffer) => {
      total += chunk.length;
      if (total > cap) {
        cleanup();
        req.pause();
        resolve({ ok: false, reason: "too_large" });
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve({ ok: true, bytes: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, total) });
    };
    const onAbort = () => {
      cleanup();
      reject(new BodyCutOff());
    };
    const cleanup = () => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onAbort);
      req.off("close", onClose);
    };
    // "close" before "end": the client went away mid-body
    const onClose = () => {
      if (!req.complete) onAbort();
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onAbort);
    req.on("close", onClose);
  });
}

function send(req: IncomingMessage, res: ServerResponse, result: DeviceAnswer): void {
  const payload = JSON.stringify(result.body);
  for (const { key, value } of SECURITY_HEADERS) res.setHeader(key, value);
  if (hstsWanted(req)) res.setHeader(HSTS_HEADER.key, HSTS_HEADER.value);
  res.setHeader("content-type", "application/json");
  res.setHeader("content-length", Buffer.byteLength(payload));
  if (result.headers) for (const [key, value] of Object.entries(result.headers)) res.setHeader(key, value);
  // A body refused as too large: close the connection rather than read the rest. Any other answer given before
  // the (small) body was read, e.g. a 401: Node reads and discards the rest and keeps the connection.
  if (result.status === 413 && !req.complete) res.setHeader("connection", "close");
  res.statusCode = result.status;
  res.end(payload);
}

/** HSTS as next.config's header rules send it: on every answer with an https APP_URL or AUTH_URL, else on https requests. */
function hstsWanted(req: IncomingMessage): boolean {
  return hstsAlways() || req.headers["x-forwarded-proto"] === "https";
}
