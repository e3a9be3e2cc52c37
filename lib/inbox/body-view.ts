/** How the inbox page shows a captured body (isomorphic, pure: unit-tested). */

export type BodyView =
  | { kind: "empty" }
  | { kind: "json"; text: string }
  | { kind: "form"; rows: Array<[string, string]> }
  | { kind: "text"; text: string }
  | { kind: "binary"; size: number; excerpt: string; more: boolean };

/** Characters of base64 shown for a binary body. */
export const BINARY_EXCERPT_CHARS = 240;

/**
 * JSON → pretty-printed; application/x-www-form-urlencoded → decoded name/value rows; base64 (not UTF-8) → size
 * and a base64 excerpt; anything else as text. A body cut to an excerpt is never parsed (it would not be valid).
 */
export function describeBody(input: {
  body: string;
  bodyEncoding: "utf8" | "base64";
  size: number;
  contentType?: string;
  truncated?: boolean;
}): BodyView {
  if (input.size === 0 && input.body === "") return { kind: "empty" };
  if (input.bodyEncoding === "base64") {
    return {
      kind: "binary",
      size: input.size,
      excerpt: input.body.slice(0, BINARY_EXCERPT_CHARS),
      more: input.truncated === true || input.body.length > BINARY_EXCERPT_CHARS,
    };
  }
  const type = (input.contentType ?? "").toLowerCase();
  const trimmed = input.body.trim();
  if (!input.truncated && (type.includes("json") || /^[[{]/.test(trimmed))) {
    try {
      return { kind: "json", text: JSON.stringify(JSON.parse(trimmed), null, 2) };
    } catch {
      // not JSON after all: shown as text
    }
  }
  if (!input.truncated && type.includes("application/x-www-form-urlencoded")) {
    return { kind: "form", rows: [...new URLSearchParams(trimmed).entries()] };
  }
  return { kind: "text", text: input.body };
}

/** "812 B", "14.2 KB", "256 KB". */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const kb = n / 1024;
  return `${kb < 10 ? kb.toFixed(1) : Math.round(kb)} KB`;
}

/** "3 s", "4 min", "2 h", "3 days" for a number of seconds (its sign ignored). */
export function formatAge(seconds: number): string {
  const s = Math.abs(Math.round(seconds));
  if (s < 90) return `${s} s`;
  if (s < 90 * 60) return `${Math.round(s / 60)} min`;
  if (s < 36 * 3600) return `${Math.round(s / 3600)} h`;
  const days = Math.round(s / 86_400);
  return `${days} day${days === 1 ? "" : "s"}`;
}

/** "sent 3 s ago" for a webhook-timestamp (unix seconds) seen at `nowMs`; "sent 5 s in the future" for a fast clock. */
export function sentAgo(timestamp: number, nowMs: number): string {
  const diff = Math.floor(nowMs / 1000) - timestamp;
  return diff >= 0 ? `sent ${formatAge(diff)} ago` : `sent ${formatAge(diff)} in the future (sender's clock is ahead)`;
}

/** "Answers 200 at once" / "Answers 503 after 2.5 s". */
export function describeResponse(status: number, delayMs: number): string {
  return delayMs > 0 ? `Answers ${status} after ${delayMs / 1000} s` : `Answers ${status} at once`;
}
