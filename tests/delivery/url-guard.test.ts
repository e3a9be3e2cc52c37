import { describe, expect, it } from "vitest";
import { nonPublicReason } from "@/lib/webhooks/url";
import { checkWebhookUrl } from "@/lib/webhooks/url-guard";

const refuse = { allowPrivate: false };

describe("URL guard", () => {
  it.each([
    ["loopback", "https://127.0.0.1/hook"],
    ["loopback (other)", "https://127.8.9.10/hook"],
    ["10/8", "https://10.0.0.5/hook"],
    ["172.16/12", "https://172.16.0.1/hook"],
    ["172.31 edge", "https://172.31.255.254/hook"],
    ["192.168/16", "https://192.168.1.1/hook"],
    ["cloud metadata", "https://169.254.169.254/latest/meta-data"],
    ["link-local", "https://169.254.1.1/"],
    ["CGNAT 100.64/10", "https://100.64.0.1/"],
    ["CGNAT top", "https://100.127.255.254/"],
    ["0.0.0.0", "https://0.0.0.0/"],
    ["0.0.0.0/8", "https://0.1.2.3/"],
    ["multicast", "https://224.0.0.1/"],
    ["broadcast", "https://255.255.255.255/"],
    ["reserved 240/4", "https://240.0.0.1/"],
    ["benchmarking", "https://198.18.0.1/"],
    ["decimal IPv4", "https://2130706433/"],
    ["hex IPv4", "https://0x7f000001/"],
    ["octal IPv4", "https://0177.0.0.1/"],
    ["short IPv4", "https://127.1/"],
    ["::1", "https://[::1]/"],
    ["::", "https://[::]/"],
    ["fc00::/7", "https://[fc00::1]/"],
    ["fd00::", "https://[fd12:3456::1]/"],
    ["fe80::/10", "https://[fe80::1]/"],
    ["IPv6 multicast", "https://[ff02::1]/"],
    ["IPv4-mapped loopback", "https://[::ffff:127.0.0.1]/"],
    ["IPv4-mapped private", "https://[::ffff:10.0.0.1]/"],
    ["IPv4-mapped metadata", "https://[::ffff:169.254.169.254]/"],
    ["IPv4-compatible loopback", "https://[::127.0.0.1]/"],
    ["NAT64 loopback", "https://[64:ff9b::127.0.0.1]/"],
    ["NAT64 private", "https://[64:ff9b::a00:1]/"],
    ["6to4 private", "https://[2002:c0a8:0101::1]/"],
    ["Teredo private client", "https://[2001:0:4136:e378:8000:63bf:f5ff:fffe]/"],
  ])("refuses %s (%s)", async (_label, url) => {
    const result = await checkWebhookUrl(url, refuse);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.errorCode).toBe("private_address");
      expect(result.error).toMatch(/^URL resolves to a private address \(.+\)$/);
    }
  });

  it("refuses a host name that resolves to a private address (localhost)", async () => {
    const result = await checkWebhookUrl("https://localhost:8443/hook", refuse);
    expect(result).toMatchObject({ ok: false, errorCode: "private_address" });
  });

  it("refuses when any one of several resolved addresses is private", async () => {
    const lookup = async () => [
      { address: "93.184.216.34", family: 4 },
      { address: "10.1.2.3", family: 4 },
    ];
    const result = await checkWebhookUrl("https://rebind.example/", { allowPrivate: false, lookup });
    expect(result).toMatchObject({ ok: false, error: "URL resolves to a private address (10.1.2.3)" });
  });

  it("accepts public addresses and returns the checked one", async () => {
    const lookup = async () => [{ address: "93.184.216.34", family: 4 }];
    const result = await checkWebhookUrl("https://hooks.example.com/x?y=1", { allowPrivate: false, lookup });
    expect(result).toMatchObject({ ok: true, address: "93.184.216.34", family: 4 });
    expect(await checkWebhookUrl("https://[2606:4700::1111]/", refuse)).toMatchObject({ ok: true, family: 6 });
    expect(await checkWebhookUrl("https://[::ffff:8.8.8.8]/", refuse)).toMatchObject({ ok: true });
    expect(await checkWebhookUrl("https://8.8.8.8/", refuse)).toMatchObject({ ok: true, address: "8.8.8.8" });
  });

  it("requires https unless private URLs are allowed, and refuses userinfo and other schemes", async () => {
    expect(await checkWebhookUrl("http://8.8.8.8/", refuse)).toMatchObject({ ok: false, errorCode: "invalid_url" });
    expect(await checkWebhookUrl("https://user:pw@8.8.8.8/", refuse)).toMatchObject({ ok: false, errorCode: "invalid_url" });
    expect(await checkWebhookUrl("ftp://8.8.8.8/", { allowPrivate: true })).toMatchObject({ ok: false });
    expect(await checkWebhookUrl("not a url", { allowPrivate: true })).toMatchObject({ ok: false, errorCode: "invalid_url" });
  });

  it("reports hosts that do not resolve", async () => {
    const result = await checkWebhookUrl("https://does-not-exist.invalid/", refuse);
    expect(result).toMatchObject({ ok: false, errorCode: "dns" });
    if (!result.ok) expect(result.error).toContain("could not resolve host");
  });

  it("allows http and private addresses with WEBHOOK_ALLOW_PRIVATE_URLS", async () => {
    expect(await checkWebhookUrl("http://127.0.0.1:8080/hook", { allowPrivate: true })).toMatchObject({
      ok: true,
      address: "127.0.0.1",
      private: true,
    });
  });

  it("classifies single addresses", () => {
    expect(nonPublicReason("1.1.1.1")).toBeNull();
    expect(nonPublicReason("127.0.0.1")).toBe("loopback");
    expect(nonPublicReason("::ffff:192.168.0.1")).toBe("private");
    expect(nonPublicReason("2002:0808:0808::1")).toBeNull();
  });
});
