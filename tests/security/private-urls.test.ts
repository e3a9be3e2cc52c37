import { afterEach, describe, expect, it } from "vitest";
import { allowPrivateUrls } from "@/lib/env";
import { webhookRequestSchema } from "@/lib/validation/webhooks";
import { webhookUrlProblem } from "@/lib/webhooks/url";
import { checkWebhookUrl, urlProblemAtSave } from "@/lib/webhooks/url-guard";

// Issue #16 item 4: private/loopback targets and plain http only with WEBHOOK_ALLOW_PRIVATE_URLS=1, whatever
// NODE_ENV says; refused at save (literal addresses in the form schema, resolved names in manage.ts) as well as at
// send time, with one URL parser (lib/webhooks/url.ts) for both.
const env = process.env as Record<string, string | undefined>;
const saved = { allow: env.WEBHOOK_ALLOW_PRIVATE_URLS, nodeEnv: env.NODE_ENV };

describe("WEBHOOK_ALLOW_PRIVATE_URLS", () => {
  afterEach(() => {
    env.WEBHOOK_ALLOW_PRIVATE_URLS = saved.allow;
    env.NODE_ENV = saved.nodeEnv;
  });

  it("is off unless set to 1 explicitly, in development and test too", async () => {
    for (const nodeEnv of ["development", "test", "production", undefined]) {
      env.NODE_ENV = nodeEnv;
      delete env.WEBHOOK_ALLOW_PRIVATE_URLS;
      expect(allowPrivateUrls(), String(nodeEnv)).toBe(false);
      env.WEBHOOK_ALLOW_PRIVATE_URLS = "";
      expect(allowPrivateUrls()).toBe(false);
      env.WEBHOOK_ALLOW_PRIVATE_URLS = "0";
      expect(allowPrivateUrls()).toBe(false);
      env.WEBHOOK_ALLOW_PRIVATE_URLS = "1";
      expect(allowPrivateUrls()).toBe(true);
    }
    // the send-time guard follows it: loopback and http refused by default
    delete env.WEBHOOK_ALLOW_PRIVATE_URLS;
    expect(await checkWebhookUrl("https://127.0.0.1:9/hook")).toMatchObject({ ok: false, errorCode: "private_address" });
    expect(await checkWebhookUrl("http://93.184.216.34/hook")).toMatchObject({ ok: false, error: "URL must use https://" });
  });

  it("the form schema refuses private literal addresses and localhost names unless allowed", () => {
    for (const url of [
      "https://127.0.0.1/x",
      "https://2130706433/x",
      "https://0x7f000001/x",
      "https://[::1]/x",
      "https://[::ffff:10.0.0.1]/x",
      "https://169.254.169.254/latest/meta-data/",
      "https://192.168.1.10:8443/",
      "https://localhost:4443/",
      "https://api.localhost/",
    ]) {
      expect(webhookUrlProblem(url, false), url).toMatch(/private address/);
      expect(webhookUrlProblem(url, true), url).toBeNull();
      const parsed = webhookRequestSchema({ allowHttp: false }).safeParse({ url });
      expect(parsed.success).toBe(false);
      if (!parsed.success) expect(parsed.error.flatten().fieldErrors.url?.[0]).toMatch(/private address/);
    }
    expect(webhookUrlProblem("https://hooks.example.com/in", false)).toBeNull();
    expect(webhookUrlProblem("https://93.184.216.34/in", false)).toBeNull();
    expect(webhookUrlProblem("http://hooks.example.com/in", false)).toBe("URL must use https://.");
    expect(webhookUrlProblem("https://user:pw@hooks.example.com/", false)).toMatch(/user name or password/);
  });

  it("save time resolves names: one that resolves to a private address is refused, a public one passes", async () => {
    const lookup = async (host: string) =>
      host === "vm" ? [{ address: "10.1.2.3", family: 4 }] : [{ address: "93.184.216.34", family: 4 }, ...(host === "mixed" ? [{ address: "127.0.0.1", family: 4 }] : [])];
    expect(await urlProblemAtSave("https://vm:4443/", { allowPrivate: false, lookup })).toMatch(/private address \(10\.1\.2\.3, private\)/);
    expect(await urlProblemAtSave("https://mixed/", { allowPrivate: false, lookup })).toMatch(/127\.0\.0\.1/);
    expect(await urlProblemAtSave("https://hooks.example.com/", { allowPrivate: false, lookup })).toBeNull();
    expect(await urlProblemAtSave("https://vm:4443/", { allowPrivate: true, lookup })).toBeNull();
    // a name that does not resolve (yet) is left to the send-time guard
    expect(await urlProblemAtSave("https://nx.invalid/", { allowPrivate: false, lookup: async () => { throw Object.assign(new Error("nx"), { code: "ENOTFOUND" }); } })).toBeNull();
  });
});
