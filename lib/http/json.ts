import "server-only";
import { NextResponse } from "next/server";
import { z } from "zod";

export type ErrorFields = Record<string, string[] | undefined>;

/** The body of the one JSON error shape of every API route: {"error":{"code","message","fields"?}}. */
export function errorBody(code: string, message: string, fields?: ErrorFields) {
  return { error: fields ? { code, message, fields } : { code, message } };
}

/** The one JSON error shape of every API route: {"error":{"code","message","fields"?}}. */
export function jsonError(status: number, code: string, message: string, fields?: ErrorFields, headers?: HeadersInit): NextResponse {
  return NextResponse.json(errorBody(code, message, fields), { status, headers });
}

/** What a zod error says to the client: the first issue as a sentence, and each bad field's messages. */
export function validationProblem(error: z.ZodError): { message: string; fields: Record<string, string[]> } {
  const fields = z.flattenError(error).fieldErrors as Record<string, string[]>;
  const first = error.issues[0];
  const where = first?.path.length ? `${first.path.join(".")}: ` : "";
  return { message: `${where}${first?.message ?? "Invalid request"}`, fields };
}

/** A zod error → 400 naming each bad field. */
export function validationError(error: z.ZodError): NextResponse {
  const { message, fields } = validationProblem(error);
  return jsonError(400, "invalid_request", message, fields);
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

/** The 503 answer for an unreachable database as plain parts (for servers that do not answer with NextResponse). */
export const UNAVAILABLE = {
  status: 503,
  body: errorBody("unavailable", "The service is temporarily unavailable; retry shortly."),
  headers: { "retry-after": "5" },
} as const;

/** The 503 answer for an unreachable database: JSON with Retry-After, never an HTML 500. */
export function unavailable(): NextResponse {
  return NextResponse.json(UNAVAILABLE.body, { status: UNAVAILABLE.status, headers: UNAVAILABLE.headers });
}
