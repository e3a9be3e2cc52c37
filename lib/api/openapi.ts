import "server-only";
import { z } from "zod";
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject, type ZodOpenApiResponsesObject } from "zod-openapi";
import { errorSchema, type AnyOperation } from "./operation";
import { API_OPERATIONS } from "./registry";

/** Base of every operation's path. */
export const API_BASE = "/api/v1";

const rateHeaders = {
  "RateLimit-Limit": { description: "Requests the key may burst", schema: { type: "integer" as const } },
  "RateLimit-Remaining": { description: "Requests left in the burst", schema: { type: "integer" as const } },
  "RateLimit-Reset": { description: "Seconds until the burst is full again", schema: { type: "integer" as const } },
};

const error = (description: string, headers?: Record<string, { description: string; schema: { type: "integer" } }>) => ({
  description,
  headers,
  content: { "application/json": { schema: errorSchema } },
});

/** The error answers an operation can give, by what it takes. */
function errorResponses(op: AnyOperation): ZodOpenApiResponsesObject {
  const out: ZodOpenApiResponsesObject = {
    "401": error("Missing, unknown, revoked or expired API key (one answer for all)"),
    "429": error("Over the key's rate limit; see Retry-After", {
      ...rateHeaders,
      "Retry-After": { description: "Seconds to wait", schema: { type: "integer" } },
    }),
  };
  if (op.query || op.body || op.method !== "get") out["400"] = error("Invalid request; `fields` names each bad field");
  if (op.scope === "write") {
    out["403"] = error("The key is read-only");
    out["409"] = error("Conflict (e.g. a UDID that exists), or an Idempotency-Key reused with another request");
  }
  if (op.params) out["404"] = error("No such object in the key's organization");
  if (op.method === "post" || op.method === "patch") {
    out["413"] = error("Body too large");
    out["415"] = error("Body is not JSON");
  }
  return out;
}

function operationObject(op: AnyOperation): ZodOpenApiOperationObject {
  const responses: ZodOpenApiResponsesObject = {};
  for (const [status, r] of Object.entries(op.responses)) {
    responses[status as `2${string}`] = {
      description: r.description,
      headers: rateHeaders,
      ...(r.schema ? { content: { "application/json": { schema: r.schema } } } : {}),
    };
  }
  const writes = op.method !== "get";
  return {
    operationId: op.operationId,
    summary: op.summary,
    description: [op.description, op.scope === "write" ? "Needs a key with the **write** scope." : "Any key may call it."].filter(Boolean).join("\n\n"),
    tags: [op.tag],
    security: [{ apiKey: [] }],
    requestParams: {
      ...(op.params ? { path: op.params } : {}),
      ...(op.query ? { query: op.query } : {}),
      ...(writes
        ? {
            header: z.object({
              "Idempotency-Key": z
                .string()
                .max(255)
                .optional()
                .meta({ description: "Retry-safe writes: the same key and body within 24 h return the first answer; another body is a 409" }),
            }),
          }
        : {}),
    },
    ...(op.body ? { requestBody: { required: true, content: { "application/json": { schema: op.body, ...(op.example ? { example: op.example } : {}) } } } } : {}),
    responses: { ...responses, ...errorResponses(op) },
  };
}

let cached: ReturnType<typeof createDocument> | undefined;

/** The OpenAPI 3.1 document of /api/v1, generated from the operations the routes serve. */
export function openApiDocument(): ReturnType<typeof createDocument> {
  if (cached) return cached;
  const paths: ZodOpenApiPathsObject = {};
  for (const op of API_OPERATIONS) {
    const p = `${API_BASE}${op.path}`;
    paths[p] ??= {};
    (paths[p] as Record<string, ZodOpenApiOperationObject>)[op.method] = operationObject(op);
  }
  cached = createDocument({
    openapi: "3.1.0",
    info: {
      title: "Signalpost API",
      version: "1.0.0",
      description:
        "Manage an organization's devices, webhooks, deliveries and events. Authenticate with an org API key (Settings → API keys): `Authorization: Bearer spk_…`. Errors are `{ \"error\": { \"code\", \"message\", \"fields\"? } }`.",
    },
    tags: [{ name: "Devices" }, { name: "Webhooks" }, { name: "Deliveries" }, { name: "Events" }, { name: "Event types" }],
    components: { securitySchemes: { apiKey: { type: "http", scheme: "bearer", description: "An org API key, spk_…" } } },
    paths,
  });
  return cached;
}
