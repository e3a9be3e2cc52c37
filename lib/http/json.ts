import "server-only";
import { NextResponse } from "next/server";
import { z } from "zod";

/** The one JSON error shape of every API route: {"error":{"code","message","fields"?}}. */
export function jsonError(
  status: number,
  code: string,
  message: string,
  fields?: Record<string, string[] | undefined>,
  headers?: HeadersInit,
): NextResponse {
  return NextResponse.json({ error: fields ? { code, message, fields } : { code, message } }, { status, headers });
}

/** A zod error → 400 naming each bad field. */
export function validationError(error: z.ZodError): NextResponse {
  const fields = z.flattenError(error).fieldErrors as Record<string, string[]>;
  const first = error.issues[0];
  const where = first?.path.length ? `${first.path.join(".")}: ` : "";
  return jsonError(400, "invalid_request", `${where}${first?.message ?? "Invalid request"}`, fields);
}

const UNAVAILABLE_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "ENOTFOUND", "EAI_AGAIN", "EPIPE", "57P01", "57P02", "57P03", "53300"]);

/** Whether an error means the database cannot be reached right now (→ 503), as opposed to a bug (→ 500). */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && (UNAVAILABLE_CODES.has(code) || code.startsWith("08"))) return true;
    const message = (e as { message?: unknown }).message;
    if (typeof message === "string" && /connection terminated|timeout exceeded when trying to connect|connect ECONNREFUSED|Connection terminated|the database system is (starting up|shutting down)|is not queryable/i.test(message)) {
      return true;
    }
  }
  return false;
}

/** The 503 answer for an unreachable database: JSON with Retry-After, never an HTML 500. */
export function unavailable(): NextResponse {
  return jsonError(503, "unavailable", "The service is temporarily unavailable; retry shortly.", undefined, {
    "retry-after": "5",
  });
}
