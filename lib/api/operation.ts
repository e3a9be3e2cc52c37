import { z } from "zod";
import type { Db } from "@/db/client";
import type { AuthenticatedKey } from "./keys";

/**
 * One operation of the public API: its place (method + OpenAPI path), the key scope it needs, the zod schemas of its
 * path, query and body (the handler gets them parsed), its success responses and the handler. The route files in
 * app/api/v1 serve these objects, and the OpenAPI document is generated from the very same objects, so the document
 * cannot say anything the code does not do.
 */

export type ApiScope = "read" | "write";
export type HttpMethod = "get" | "post" | "patch" | "delete";

export type ApiContext = {
  db: Db;
  orgId: number;
  key: AuthenticatedKey;
  req: Request;
};

export type ApiResult = { status: number; body?: unknown; headers?: Record<string, string> };

type AnyObject = z.ZodType<Record<string, unknown>, Record<string, unknown>>;

export type Operation<
  P extends AnyObject = AnyObject,
  Q extends AnyObject = AnyObject,
  B extends z.ZodType = z.ZodType,
> = {
  operationId: string;
  method: HttpMethod;
  /** OpenAPI path below /api/v1, e.g. "/devices/{id}". */
  path: string;
  tag: string;
  summary: string;
  description?: string;
  scope: ApiScope;
  params?: P;
  query?: Q;
  body?: B;
  /** Largest accepted body (default 64 KB). */
  maxBodyBytes?: number;
  /** Success responses: status → description and body schema (none: an empty body). */
  responses: Record<number, { description: string; schema?: z.ZodType }>;
  /** An example request body for the reference page's curl example. */
  example?: unknown;
  handler: (ctx: ApiContext, input: { params: z.output<P>; query: z.output<Q>; body: z.output<B> }) => Promise<ApiResult>;
};

/** Keeps the handler's input types tied to the schemas. */
export function defineOperation<P extends AnyObject = AnyObject, Q extends AnyObject = AnyObject, B extends z.ZodType = z.ZodType>(
  op: Operation<P, Q, B>,
): Operation<P, Q, B> {
  return op;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyOperation = Operation<any, any, any>;

/** The one error body of the API. */
export const errorSchema = z
  .object({
    error: z.object({
      code: z.string().meta({ description: "Machine-readable reason", example: "invalid_request" }),
      message: z.string().meta({ description: "What went wrong, in a sentence" }),
      fields: z.record(z.string(), z.array(z.string())).optional().meta({ description: "Field → messages" }),
    }),
  })
  .meta({ id: "Error" });
