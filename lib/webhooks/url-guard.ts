import "server-only";
import { lookup as dnsLookup } from "node:dns/promises";
import { allowPrivateUrls } from "@/lib/env";
import { guardWords, isIpLiteral, nonPublicReason, parseWebhookUrl, privateTargetWords } from "./url";

/**
 * SSRF guard for webhook URLs (README, "Reliability and security"). A URL passes only when it parses (url.ts, the
 * same parser as the form) and EVERY address its host resolves to is public unicast. The caller then connects to
 * the returned address (never resolving the name again), so a DNS answer that changes between check and connect
 * (rebinding) cannot reach an internal address. Private targets and http:// pass only with
 * WEBHOOK_ALLOW_PRIVATE_URLS=1.
 */

export type UrlCheck =
  | { ok: true; url: URL; address: string; family: 4 | 6; private: boolean }
  | { ok: false; error: string; errorCode: "invalid_url" | "dns" }
  | { ok: false; error: string; errorCode: "private_address"; address: string; reason: string };

export type CheckOptions = {
  /** Defaults to WEBHOOK_ALLOW_PRIVATE_URLS (off unless set to 1). */
  allowPrivate?: boolean;
  /** Resolver override for tests. */
  lookup?: (host: string) => Promise<{ address: string; family: number }[]>;
};

const DNS_TIMEOUT_MS = 5_000;
const DNS_CACHE_TTL_MS = 10_000;
const DNS_CACHE_MAX = 1_000;
const dnsCache = new Map<string, { at: number; addresses: { address: string; family: number }[] }>();

async function resolveAll(
  host: string,
  lookup: CheckOptions["lookup"],
): Promise<{ address: string; family: number }[]> {
  if (lookup) return lookup(host);
  const cached = dnsCache.get(host);
  if (cached && Date.now() - cached.at < DNS_CACHE_TTL_MS) return cached.addresses;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error("dns timeout"), { code: "ETIMEOUT" })), DNS_TIMEOUT_MS);
  });
  try {
    const addresses = await Promise.race([dnsLookup(host, { all: true, verbatim: true }), timeout]);
    if (dnsCache.size >= DNS_CACHE_MAX) dnsCache.delete(dnsCache.keys().next().value!);
    dnsCache.set(host, { at: Date.now(), addresses });
    return addresses;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Validates a webhook URL and resolves its host. Refuses unless every resolved address is public unicast (or
 * private URLs are allowed). Returns the address to connect to.
 */
export async function checkWebhookUrl(raw: string, options: CheckOptions = {}): Promise<UrlCheck> {
  const allowPrivate = options.allowPrivate ?? allowPrivateUrls();
  const parsed = parseWebhookUrl(raw, allowPrivate);
  if (!parsed.ok) return { ok: false, error: guardWords(parsed.problem), errorCode: "invalid_url" };
  const host = parsed.host;

  let addresses: { address: string; family: number }[];
  if (isIpLiteral(host)) {
    addresses = [{ address: host, family: host.includes(":") ? 6 : 4 }];
  } else {
    try {
      addresses = await resolveAll(host, options.lookup);
    } catch (err) {
      const code = (err as { code?: string }).code;
      const why = code === "ETIMEOUT" ? "DNS lookup timed out" : "could not resolve host";
      return { ok: false, error: `${why} (${host})`, errorCode: "dns" };
    }
    if (addresses.length === 0) return { ok: false, error: `could not resolve host (${host})`, errorCode: "dns" };
  }

  let anyPrivate = false;
  for (const { address } of addresses) {
    const reason = nonPublicReason(address);
    if (!reason) continue;
    anyPrivate = true;
    if (!allowPrivate) {
      return {
        ok: false,
        error: `URL resolves to a private address (${address})`,
        errorCode: "private_address",
        address,
        reason,
      };
    }
  }
  const chosen = addresses[0];
  return {
    ok: true,
    url: parsed.url,
    address: chosen.address,
    family: chosen.family === 6 ? 6 : 4,
    private: anyPrivate,
  };
}

/**
 * The save-time check of a webhook URL (create and edit): unless private URLs are allowed, a host that resolves to
 * a private or loopback address is refused with the form's words for the URL field. A name that does not resolve
 * (yet) is not refused here; the send-time guard checks every delivery again.
 */
export async function urlProblemAtSave(raw: string, options: CheckOptions = {}): Promise<string | null> {
  const allowPrivate = options.allowPrivate ?? allowPrivateUrls();
  if (allowPrivate) return null;
  const checked = await checkWebhookUrl(raw, { ...options, allowPrivate: false });
  if (checked.ok || checked.errorCode !== "private_address") return null;
  return privateTargetWords(checked.address, checked.reason);
}
