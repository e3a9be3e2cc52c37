import { unstable_getResponseFromNextConfig } from "next/experimental/testing/server";
import { describe, expect, it } from "vitest";
import nextConfig from "@/next.config.mjs";
import { securityHeaderRules } from "@/lib/http/security-headers.mjs";

// Next's own matcher applies next.config.mjs `headers()` to a request, as `next start` does.
async function responseHeaders(url: string, headers: Record<string, string> = {}, config = nextConfig) {
  const res = await unstable_getResponseFromNextConfig({ url, nextConfig: config, headers });
  return res.headers;
}

describe("security headers (next.config.mjs headers())", () => {
  it("forbid framing, sniffing and full-URL referrers on pages and API routes", async () => {
    for (const url of ["http://localhost:3000/", "http://localhost:3000/orgs/demo/devices/12", "http://localhost:3000/api/orgs/demo/devices"]) {
      const h = await responseHeaders(url);
      expect(h.get("content-security-policy"), url).toBe("frame-ancestors 'none'");
      expect(h.get("x-frame-options"), url).toBe("DENY");
      expect(h.get("x-content-type-options"), url).toBe("nosniff");
      expect(h.get("referrer-policy"), url).toBe("strict-origin-when-cross-origin");
      expect(h.get("strict-transport-security"), url).toBeNull(); // plain http
    }
  });

  it("send HSTS when the request came over https (TLS proxy), or always when APP_URL/AUTH_URL is https", async () => {
    const h = await responseHeaders("http://localhost:3000/sign-in", { "x-forwarded-proto": "https" });
    expect(h.get("strict-transport-security")).toBe("max-age=31536000");
    expect(h.get("x-frame-options")).toBe("DENY");
    const https = { ...nextConfig, headers: async () => securityHeaderRules({ APP_URL: "https://portal.example.com" }) };
    expect((await responseHeaders("http://localhost:3000/", {}, https)).get("strict-transport-security")).toBe("max-age=31536000");
    const http = { ...nextConfig, headers: async () => securityHeaderRules({ APP_URL: "http://localhost:3000" }) };
    expect((await responseHeaders("http://localhost:3000/", {}, http)).get("strict-transport-security")).toBeNull();
  });
});
