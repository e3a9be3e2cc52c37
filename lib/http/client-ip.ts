import { intEnv } from "@/lib/env";

/**
 * The client's address, for sign-in limits and the device API's failure events.
 *
 * `next start` fills in X-Forwarded-For with the socket's address when a request arrives without one; a reverse
 * proxy appends the address it saw to whatever the client sent. So the entries on the LEFT are the client's own
 * claims (anyone can send `X-Forwarded-For: 1.2.3.4`), and the trustworthy one is counted from the RIGHT: the last
 * entry with no proxy or one proxy in front, the second-to-last behind two (e.g. a CDN, then nginx), and so on —
 * TRUSTED_PROXY_COUNT (default 1) says how many. Exposed directly, a client that sends the header itself still
 * chooses its address (Next keeps the header); the per-email sign-in limit does not depend on it.
 */
export function clientAddress(headers: Pick<Headers, "get">): string | null {
  const hops = Math.max(1, Math.floor(intEnv("TRUSTED_PROXY_COUNT", 1)));
  const entries = (headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((e) => e.trim())
    .filter(Boolean);
  if (entries.length > 0) return entries[Math.max(0, entries.length - hops)];
  return headers.get("x-real-ip")?.trim() || null;
}
