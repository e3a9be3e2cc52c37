/**
 * THE webhook URL rules (README, "Reliability and security"), shared by the form schema (save time, in the browser
 * and on the server) and the send-time SSRF guard (url-guard.ts): one parser, one idea of what is private.
 * Isomorphic: no server imports. A URL is acceptable when it parses as an absolute http(s) URL without userinfo;
 * unless private URLs are allowed (WEBHOOK_ALLOW_PRIVATE_URLS=1) it must use https and its host must not be a
 * private, loopback or otherwise non-public address (literal here; resolved names in url-guard.ts).
 *
 * WHATWG URL parsing normalises the odd IPv4 spellings ("2130706433", "0x7f000001", "0177.1") to dotted quads and
 * IPv6 literals to their compressed form before we look at them, so those forms are checked like any other.
 */
import ipaddr from "ipaddr.js";

export const URL_MAX = 512;

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

export type UrlProblem = "invalid" | "scheme" | "http" | "userinfo" | "no_host";

/** The parser's problems in the words of the send-time guard (delivery log) and of the form (under URL). */
const GUARD_WORDS: Record<UrlProblem, string> = {
  invalid: "not a valid absolute URL",
  scheme: "URL must start with https://",
  http: "URL must use https://",
  userinfo: "URL must not contain a user name or password",
  no_host: "URL has no host",
};
const FORM_WORDS: Record<UrlProblem, string> = {
  invalid: "Enter an absolute URL, such as https://example.com/webhooks.",
  scheme: "URL must start with https:// (or http://).",
  http: "URL must use https://.",
  userinfo: "URL must not contain a user name or password; use Authentication instead.",
  no_host: "URL has no host.",
};

export type ParsedWebhookUrl = { ok: true; url: URL; host: string } | { ok: false; problem: UrlProblem };

/** Parses a webhook URL: absolute http(s) (http only when allowed), no userinfo, a host. */
export function parseWebhookUrl(raw: string, allowHttp: boolean): ParsedWebhookUrl {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, problem: "invalid" };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return { ok: false, problem: "scheme" };
  if (url.protocol === "http:" && !allowHttp) return { ok: false, problem: "http" };
  if (url.username || url.password) return { ok: false, problem: "userinfo" };
  if (!url.hostname) return { ok: false, problem: "no_host" };
  return { ok: true, url, host: url.hostname.replace(/^\[|\]$/g, "") };
}

export function guardWords(problem: UrlProblem): string {
  return GUARD_WORDS[problem];
}

/** Whether a host is an IP literal (after URL normalisation). */
export function isIpLiteral(host: string): boolean {
  return ipaddr.isValid(host);
}

/**
 * Why a URL's host is non-public without asking DNS: an IP literal outside public unicast, or a name that always
 * means this machine (localhost, *.localhost). Null when the host may be public (names are resolved at save and
 * again at send time by url-guard.ts).
 */
export function literalHostProblem(host: string): string | null {
  if (isIpLiteral(host)) return nonPublicReason(host);
  const name = host.toLowerCase().replace(/\.$/, "");
  if (name === "localhost" || name.endsWith(".localhost")) return "loopback";
  return null;
}

/** The form's words for a private target (save time): what was found and the switch that allows it. */
export function privateTargetWords(address: string, reason: string): string {
  return `URL points to a private address (${address}, ${reason}); webhooks are sent to public hosts only. Private and loopback targets need WEBHOOK_ALLOW_PRIVATE_URLS=1 on the server.`;
}

/**
 * Why a webhook URL is refused, in the words the form shows under URL; null when fine. `allowPrivate`
 * (WEBHOOK_ALLOW_PRIVATE_URLS) allows http:// and private/loopback literal hosts.
 */
export function webhookUrlProblem(raw: string, allowPrivate: boolean): string | null {
  if (!raw) return "URL is required.";
  if (raw.length > URL_MAX) return `URL must be ${URL_MAX} characters or fewer.`;
  const parsed = parseWebhookUrl(raw, allowPrivate);
  if (!parsed.ok) return FORM_WORDS[parsed.problem];
  if (!allowPrivate) {
    const reason = literalHostProblem(parsed.host);
    if (reason) return privateTargetWords(parsed.host, reason);
  }
  return null;
}
