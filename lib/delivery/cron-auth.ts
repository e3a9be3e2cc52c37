import "server-only";
import { createHash, timingSafeEqual } from "node:crypto";

const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);

const digest = (value: string) => createHash("sha256").update(value).digest();

/**
 * Authorizes a call of the cron route. With CRON_SECRET set, the request must carry `Authorization: Bearer
 * <secret>` (compared in constant time over equal-length SHA-256 digests). Without it, production refuses every
 * call, and development allows only requests addressed to localhost. Returns null when allowed.
 */
export function authorizeCronRequest(
  authorization: string | null,
  hostname: string,
): { status: number; code: string; message: string } | null {
  const secret = process.env.CRON_SECRET;
  if (!secret) {
    if (process.env.NODE_ENV === "production") {
      return { status: 401, code: "cron_secret_unset", message: "CRON_SECRET is not set on the server; the cron route is closed." };
    }
    if (LOCAL_HOSTS.has(hostname)) return null;
    return { status: 401, code: "unauthenticated", message: "Without CRON_SECRET the cron route answers localhost only." };
  }
  const match = /^Bearer\s+(.+)$/i.exec(authorization ?? "");
  const given = match?.[1]?.trim() ?? "";
  if (!given || !timingSafeEqual(digest(given), digest(secret))) {
    return { status: 401, code: "unauthenticated", message: "Missing or wrong Authorization: Bearer <CRON_SECRET>." };
  }
  return null;
}
