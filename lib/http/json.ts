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
