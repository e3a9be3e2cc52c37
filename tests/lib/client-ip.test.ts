import { afterEach, describe, expect, it } from "vitest";
import { clientAddress } from "@/lib/http/client-ip";

const h = (init: Record<string, string>) => new Headers(init);

describe("clientAddress", () => {
  afterEach(() => {
    delete process.env.TRUSTED_PROXY_COUNT;
  });

  it("takes the entry the nearest proxy (or next start itself) wrote: the last one, not the client's own claims", () => {
    // direct: next start filled the header with the socket's address
    expect(clientAddress(h({ "x-forwarded-for": "198.51.100.20" }))).toBe("198.51.100.20");
    // behind one appending proxy: whatever the client sent comes first
    expect(clientAddress(h({ "x-forwarded-for": "10.9.9.9, 1.2.3.4,198.51.100.20" }))).toBe("198.51.100.20");
  });

  it("counts TRUSTED_PROXY_COUNT entries from the right (a CDN, then nginx: 2)", () => {
    process.env.TRUSTED_PROXY_COUNT = "2";
    expect(clientAddress(h({ "x-forwarded-for": "10.9.9.9, 198.51.100.20, 203.0.113.5" }))).toBe("198.51.100.20");
    // fewer entries than proxies: the leftmost there is
    expect(clientAddress(h({ "x-forwarded-for": "198.51.100.20" }))).toBe("198.51.100.20");
    process.env.TRUSTED_PROXY_COUNT = "0"; // no proxy: the last entry, as with 1
    expect(clientAddress(h({ "x-forwarded-for": "10.9.9.9, 198.51.100.20" }))).toBe("198.51.100.20");
  });

  it("falls back to X-Real-IP, then to nothing; ignores empty entries", () => {
    expect(clientAddress(h({ "x-real-ip": " 198.51.100.7 " }))).toBe("198.51.100.7");
    expect(clientAddress(h({ "x-forwarded-for": " , 198.51.100.8, " }))).toBe("198.51.100.8");
    expect(clientAddress(h({}))).toBeNull();
  });

  it("names a bad TRUSTED_PROXY_COUNT", () => {
    process.env.TRUSTED_PROXY_COUNT = "two";
    expect(() => clientAddress(h({ "x-forwarded-for": "198.51.100.20" }))).toThrow(/TRUSTED_PROXY_COUNT/);
  });
});
