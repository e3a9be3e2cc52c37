/**
 * Cross-site request forgery guard for the session (cookie) JSON routes, the same rule Next applies to server
 * actions: a state-changing request from a browser must come from the portal's own origin.
 *
 * - `Sec-Fetch-Site` (sent by every current browser) must be `same-origin` (or `none`: typed by the user);
 *   `same-site` is refused too, so a page on another port or subdomain of the same host cannot post.
 * - Otherwise an `Origin` header must name the host the request was sent to (Host / X-Forwarded-Host, or the host
 *   of APP_URL / AUTH_URL); `Origin: null` is refused.
 * - A request with neither header is not from a browser (curl, scripts): cookies are not sent cross-site by
 *   anything else, so it is let through.
 */
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

function hostOf(url: string | undefined): string | null {
  if (!url) return null;
  try {
    return new URL(url).host.toLowerCase();
  } catch {
    return null;
  }
}

/** Hosts this request may legitimately come from. */
function ownHosts(req: Request): Set<string> {
  const hosts = new Set<string>();
  const add = (h: string | null | undefined) => {
    const v = h?.split(",")[0]?.trim().toLowerCase();
    if (v) hosts.add(v);
  };
  add(req.headers.get("x-forwarded-host"));
  add(req.headers.get("host"));
  add(hostOf(req.url));
  add(hostOf(process.env.APP_URL));
  add(hostOf(process.env.AUTH_URL));
  return hosts;
}

/** Null when the request may proceed, else why it is refused. */
export function crossSiteRefusal(req: Request): string | null {
  if (SAFE_METHODS.has(req.method.toUpperCase())) return null;
  const site = req.headers.get("sec-fetch-site")?.toLowerCase();
  if (site && site !== "same-origin" && site !== "none") return `Sec-Fetch-Site: ${site}`;
  const origin = req.headers.get("origin");
  if (origin === null) return null;
  const host = hostOf(origin);
  if (!host || !ownHosts(req).has(host)) return `Origin: ${origin.slice(0, 100)}`;
  return null;
}
