import "server-only";
import { lookup as dnsLookup } from "node:dns/promises";
import ipaddr from "ipaddr.js";
import { allowPrivateUrls } from "@/lib/env";

/**
 * SSRF guard for webhook URLs (README, "Delivery engine"). A URL passes only when it parses as an absolute http(s) URL without
 * userinfo and EVERY address its host resolves to is public unicast. The caller then connects to the returned
 * address (never resolving the name again), so a DNS answer that changes between check and connect (rebinding)
 * cannot reach an internal address.
 *
 * WHATWG URL parsing normalises the odd IPv4 spellings ("2130706433", "0x7f000001", "0177.1") to dotted quads and
 * IPv6 literals to their compressed form before we look at them, so those forms are checked like any other.
 */

export type UrlCheck =
  | { ok: true; url: URL; address: string; family: 4 | 6; private: boolean }
  | { ok: false; error: string; errorCode: "invalid_url" | "private_address" | "dns" };

export type CheckOptions = {
  /** Defaults to WEBHOOK_ALLOW_PRIVATE_URLS (on outside production). */
  allowPrivate?: boolean;
  /** Resolver override for tests. */
  lookup?: (host: string) => Promise<{ address: string; family: number }[]>;
};

const DNS_TIMEOUT_MS = 5_000;
const DNS_CACHE_TTL_MS = 10_000;
const DNS_CACHE_MAX = 1_000;
const dnsCache = new Map<string, { at: number; addresses: { address: string; family: number }[] }>();

/**
 * Why an address is not public unicast ("loopback", "private", "link-local"…), or null when it is public.
 * IPv6 forms that embed an IPv4 address (IPv4-mapped ::ffff:a.b.c.d, IPv4-compatible ::a.b.c.d, NAT64
 * 64:ff9b::/96, SIIT ::ffff:0:a.b.c.d, 6to4 2002::/16, Teredo 2001::/32) are judged by the embedded address too.
 */
export function nonPublicReason(ip: string): string | null {
  let addr: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    addr = ipaddr.parse(ip.replace(/^\[|\]$/g, "").replace(/%.*$/, ""));
  } catch {
    return "not an IP address";
  }
  if (addr.kind() === "ipv4") return ipv4Reason(addr as ipaddr.IPv4);
  const v6 = addr as ipaddr.IPv6;
  const embedded = embeddedIPv4(v6);
  if (embedded) {
    const inner = ipv4Reason(embedded);
    if (inner) return inner;
    // a public IPv4 behind a translation prefix is reachable the same way as the IPv4 itself
    return null;
  }
  const range = v6.range();
  if (range === "unicast") return null;
  return IPV6_REASONS[range] ?? range;
}

const IPV4_REASONS: Record<string, string> = {
  unspecified: "unspecified (0.0.0.0/8)",
  broadcast: "broadcast",
  multicast: "multicast",
  linkLocal: "link-local",
  loopback: "loopback",
  carrierGradeNat: "carrier-grade NAT (100.64.0.0/10)",
  private: "private",
  reserved: "reserved",
  as112: "reserved (AS112)",
  amt: "reserved (AMT)",
};

const IPV6_REASONS: Record<string, string> = {
  unspecified: "unspecified (::)",
  linkLocal: "link-local (fe80::/10)",
  multicast: "multicast",
  loopback: "loopback",
  uniqueLocal: "private (fc00::/7)",
  deprecatedSiteLocal: "site-local (fec0::/10)",
  discard: "discard prefix",
  reserved: "reserved",
  benchmarking: "reserved (benchmarking)",
};

function ipv4Reason(addr: ipaddr.IPv4): string | null {
  const range = addr.range();
  if (range === "unicast") {
    // ranges ipaddr.js files under unicast that are still not reachable public hosts
    if (addr.match(ipaddr.IPv4.parse("198.18.0.0"), 15)) return "reserved (benchmarking)";
    return null;
  }
  return IPV4_REASONS[range] ?? range;
}

/** The IPv4 address an IPv6 address stands for, when it is one of the translation/tunnel forms. */
function embeddedIPv4(addr: ipaddr.IPv6): ipaddr.IPv4 | null {
  const parts = addr.parts; // eight 16-bit words
  const fromWords = (hi: number, lo: number) =>
    new ipaddr.IPv4([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff]);
  const range = addr.range();
  if (range === "ipv4Mapped" || range === "rfc6052" || range === "rfc6145") return fromWords(parts[6], parts[7]);
  // IPv4-compatible (deprecated) ::a.b.c.d, but not :: and ::1 themselves
  if (parts.slice(0, 6).every((p) => p === 0) && (parts[6] !== 0 || parts[7] > 1)) return fromWords(parts[6], parts[7]);
  if (range === "6to4") return fromWords(parts[1], parts[2]);
  // Teredo: the client's IPv4 is the last 32 bits inverted
  if (range === "teredo") return fromWords(parts[6] ^ 0xffff, parts[7] ^ 0xffff);
  return null;
}

/** Parses a webhook URL: absolute http(s), no userinfo. Returns the URL or a plain-words error. */
export function parseWebhookUrl(raw: string, allowHttp: boolean): URL | string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "not a valid absolute URL";
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return "URL must start with https://";
  if (url.protocol === "http:" && !allowHttp) return "URL must use https://";
  if (url.username || url.password) return "URL must not contain a user name or password";
  if (!url.hostname) return "URL has no host";
  return url;
}

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
  if (typeof parsed === "string") return { ok: false, error: parsed, errorCode: "invalid_url" };
  const host = parsed.hostname.replace(/^\[|\]$/g, "");

  let addresses: { address: string; family: number }[];
  if (ipaddr.isValid(host)) {
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
      };
    }
  }
  const chosen = addresses[0];
  return {
    ok: true,
    url: parsed,
    address: chosen.address,
    family: chosen.family === 6 ? 6 : 4,
    private: anyPrivate,
  };
}
