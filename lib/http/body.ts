// Reading request bodies with a size cap (device API, inbox capture).
import { findUnstorable, UNSTORABLE_MESSAGE } from "@/lib/validation/text";

/** The request body ended before its declared end (the client went away): nothing to answer, nothing recorded. */
export class BodyCutOff extends Error {
  constructor() {
    super("The request body was cut off.");
    this.name = "BodyCutOff";
  }
}

/** Whether a Content-Length header declares more than `cap` bytes (a body then refused before reading it). */
export function declaresMoreThan(contentLength: string | null | undefined, cap: number): boolean {
  return contentLength != null && /^\d+$/.test(contentLength.trim()) && Number(contentLength) > cap;
}

export type BodyRead = { ok: true; bytes: Uint8Array } | { ok: false; reason: "too_large" };

/**
 * Reads a request body up to `cap` bytes. A declared Content-Length over the cap is refused before reading; a
 * body that turns out longer (chunked, or a lying header) is refused as soon as the cap is passed, and the rest
 * is not read.
 */
export async function readBodyCapped(req: Request, cap: number): Promise<BodyRead> {
  if (declaresMoreThan(req.headers.get("content-length"), cap)) return { ok: false, reason: "too_large" };
  if (!req.body) return { ok: true, bytes: new Uint8Array(0) };
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > cap) {
      await reader.cancel().catch(() => undefined);
      return { ok: false, reason: "too_large" };
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { ok: true, bytes };
}

/** Deepest nesting of arrays/objects accepted in a JSON body (bodies here are small; deeper is an attack). */
export const MAX_BODY_DEPTH = 32;

/** Whether a parsed JSON value nests deeper than `max` (iterative: a hostile body cannot overflow the stack). */
function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== "object") continue;
    if (depth >= max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}

export function isJsonContentType(value: string | null): boolean {
  if (!value) return false;
  const mime = value.split(";")[0].trim().toLowerCase();
  return mime === "application/json" || /^application\/[a-z0-9.+-]+\+json$/.test(mime);
}

/** Strict UTF-8 (a decoder without `stream` keeps no state between calls, so one serves every request). */
const UTF8 = new TextDecoder("utf-8", { fatal: true });

/** Why a JSON body was refused: the HTTP status, a machine code and a sentence for the client. */
export type BodyProblem = { status: number; code: string; message: string };

export type JsonBodyRead = { ok: true; value: Record<string, unknown> } | { ok: false; problem: BodyProblem };

/**
 * The one JSON body reader of the API routes: at most `maxBytes` (refused past it without reading the rest), strict
 * UTF-8, a JSON content type, an object at the top, nesting at most MAX_BODY_DEPTH, no NUL or lone surrogate in
 * any string or key. With `emptyIsObject` an empty
 * body (whatever its type) reads as `{}` — the device API's heartbeat.
 */
export async function readJsonBody(req: Request, opts: { maxBytes: number; emptyIsObject?: boolean }): Promise<JsonBodyRead> {
  return parseJsonBody(await readBodyCapped(req, opts.maxBytes), req.headers.get("content-type"), opts);
}

/** readJsonBody's checks on a body already read (with its cap) by any transport: see readJsonBody. */
export function parseJsonBody(read: BodyRead, contentType: string | null, opts: { maxBytes: number; emptyIsObject?: boolean }): JsonBodyRead {
  const fail = (status: number, code: string, message: string): JsonBodyRead => ({ ok: false, problem: { status, code, message } });
  if (!read.ok) return fail(413, "payload_too_large", `The body is larger than ${Math.round(opts.maxBytes / 1024)} KB.`);
  let text: string;
  try {
    text = UTF8.decode(read.bytes);
  } catch {
    return fail(400, "invalid_encoding", "The body is not valid UTF-8.");
  }
  if (text.trim() === "" && opts.emptyIsObject) return { ok: true, value: {} };
  if (!isJsonContentType(contentType)) {
    return fail(415, "unsupported_media_type", "Send the body as JSON with Content-Type: application/json.");
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return fail(400, "invalid_json", "The body is not valid JSON.");
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) return fail(400, "invalid_request", "The body must be a JSON object.");
  if (nestsDeeperThan(json, MAX_BODY_DEPTH)) {
    return fail(400, "invalid_request", `The body is nested too deeply (more than ${MAX_BODY_DEPTH} levels).`);
  }
  // "\u0000" and a lone "\ud800" are valid JSON escapes, but no text column can hold them
  const bad = findUnstorable(json);
  if (bad) return fail(400, "invalid_request", `${bad}: ${UNSTORABLE_MESSAGE}.`);
  return { ok: true, value: json as Record<string, unknown> };
}
