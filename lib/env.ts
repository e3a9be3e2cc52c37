import "server-only";

const isProduction = process.env.NODE_ENV === "production";
const DEV_AUTH_SECRET = "signalpost-development-secret-do-not-use-in-production";

/** AUTH_SECRET, with a development default; required in production. */
export function authSecret(): string {
  const secret = process.env.AUTH_SECRET;
  if (secret) return secret;
  if (isProduction && process.env.SIGNALPOST_ALLOW_DEV_SECRET !== "1") {
    throw new Error("AUTH_SECRET must be set in production (e.g. `openssl rand -base64 32`).");
  }
  return DEV_AUTH_SECRET;
}

export { intEnv } from "@/db/env";

/**
 * WEBHOOK_ALLOW_PRIVATE_URLS: http:// and private/loopback webhook targets only when set to 1 (or true), in every
 * environment — a worker or server started without it refuses them. `npm run dev` sets it in its script.
 */
export function allowPrivateUrls(): boolean {
  const raw = process.env.WEBHOOK_ALLOW_PRIVATE_URLS?.trim().toLowerCase();
  return raw === "1" || raw === "true";
}

export { isProduction };
