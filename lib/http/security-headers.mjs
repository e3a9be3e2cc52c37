// Security headers on every response (pages, API routes, static files), set through next.config.mjs `headers()`.
// Plain JavaScript: next.config.mjs imports it before any TypeScript is compiled.

/** Sent on every response. */
export const SECURITY_HEADERS = [
  // the portal never renders inside another site's frame (clickjacking): CSP for current browsers, XFO for old ones
  { key: "Content-Security-Policy", value: "frame-ancestors 'none'" },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "X-Content-Type-Options", value: "nosniff" },
  // full URLs (org slugs, device ids, inbox tokens in paths) never leave the site in a Referer
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
];

/** Strict-Transport-Security, only for responses served over https. */
export const HSTS_HEADER = { key: "Strict-Transport-Security", value: "max-age=31536000" };

function isHttps(url) {
  try {
    return Boolean(url) && new URL(url).protocol === "https:";
  } catch {
    return false;
  }
}

/** Whether every response carries HSTS: the APP_URL or AUTH_URL is https. */
export function hstsAlways(env = process.env) {
  return isHttps(env.APP_URL) || isHttps(env.AUTH_URL);
}

/**
 * The `headers()` rules: the security headers everywhere; HSTS on requests that arrived over https (the TLS proxy's
 * `X-Forwarded-Proto: https`), and on every response when the build's APP_URL or AUTH_URL is https.
 */
export function securityHeaderRules(env = process.env) {
  const always = hstsAlways(env);
  return [
    { source: "/:path*", headers: always ? [...SECURITY_HEADERS, HSTS_HEADER] : SECURITY_HEADERS },
    ...(always ? [] : [{ source: "/:path*", has: [{ type: "header", key: "x-forwarded-proto", value: "https" }], headers: [HSTS_HEADER] }]),
  ];
}
