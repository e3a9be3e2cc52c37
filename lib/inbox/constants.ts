/** Limits and shapes of the built-in request inbox (isomorphic: the form and the server share them). */

/** Largest request body an inbox stores; a bigger one is refused with 413 and nothing is stored. */
export const INBOX_MAX_BODY_BYTES = 256 * 1024;

/** Captured requests kept per inbox; older ones are pruned as new ones arrive. */
export const INBOX_RETENTION = 500;

/** Largest configurable response delay. */
export const INBOX_MAX_DELAY_MS = 30_000;

/** Inboxes an organization may have. */
export const INBOX_LIMIT_PER_ORG = 20;

/** Standard Webhooks' replay window: a signature whose timestamp is further than this from arrival is refused. */
export const SIGNATURE_TOLERANCE_SECONDS = 5 * 60;

/** Path of an inbox's capture URL. */
export function inboxPath(token: string): string {
  return `/api/inbox/${token}`;
}

/** Full capture URL of an inbox for a page served from `origin` (e.g. "http://localhost:3000"). */
export function inboxUrl(origin: string, token: string): string {
  return `${origin.replace(/\/$/, "")}${inboxPath(token)}`;
}
