/**
 * Rules for custom headers and query parameters (README, "Webhooks"), shared by the zod schema, the form and the request
 * builder. Isomorphic.
 */

/** RFC 9110 token: the characters allowed in a header (and, here, a query parameter) name. */
export const HTTP_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Headers the HTTP client manages itself; setting them would break the request. */
/** Headers the HTTP client owns: refused as custom headers, and never copied onto a request as sent. */
export const TRANSPORT_HEADERS: ReadonlySet<string> = new Set(["host", "content-length", "transfer-encoding", "connection", "keep-alive", "upgrade", "te", "trailer", "expect"]);

export const MAX_HEADERS = 20;
export const MAX_QUERY_PARAMS = 20;
export const MAX_HEADER_VALUE = 2048;

/** Why a custom header name is refused, or null when it is allowed. */
export function headerNameProblem(name: string): string | null {
  const lower = name.toLowerCase();
  if (!name) return "Header name is required.";
  if (!HTTP_TOKEN.test(name)) return `"${name}" is not a valid header name (letters, digits and !#$%&'*+-.^_\`|~ only).`;
  if (lower === "content-type" || lower === "user-agent" || lower.startsWith("webhook-")) {
    return `"${name}" is set by Signalpost and cannot be overridden.`;
  }
  if (TRANSPORT_HEADERS.has(lower)) return `"${name}" is managed by the HTTP client and cannot be set.`;
  return null;
}

/** Whether a header name is one the builder never lets a custom header set. */
export function isReservedHeader(name: string): boolean {
  const problem = headerNameProblem(name);
  return problem !== null && HTTP_TOKEN.test(name);
}

/** Why a header or query value is refused (CR/LF would let a value inject headers), or null. */
export function valueProblem(value: string): string | null {
  if (/[\r\n\0]/.test(value)) return "Line breaks are not allowed in values.";
  if (value.length > MAX_HEADER_VALUE) return `Values are limited to ${MAX_HEADER_VALUE} characters.`;
  return null;
}
