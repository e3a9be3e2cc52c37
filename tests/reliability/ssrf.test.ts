import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { lookup } from "node:dns/promises";
import { createWebhookAction, sendTestEventAction, updateWebhookAction } from "@/lib/actions/webhooks";
import { nonPublicReason } from "@/lib/webhooks/url";
import { processOutbox } from "@/lib/delivery/pass";
import { closeSendPools, sendHttpRequest } from "@/lib/delivery/send";
import type { BuiltRequest } from "@/lib/webhooks/types";
import { emitOffline, insertWebhook, seedDeliveryOrg } from "../delivery/helpers";
import { twoOrgs } from "../support/fixtures";
import { behaviours, startReceiver } from "../support/receiver";
import { actAs } from "../support/session";
import { count, useReliabilityDatabase } from "./support/db";
import { startMisbehavingServer } from "./support/receivers";
import { webhookForm } from "./support/tenants";

// SSRF: the URL guard (lib/webhooks/url.ts) on every path that makes this server send a request — Send test
// event, the endpoint check on create, and real deliveries — plus redirects and DNS rebinding. All traffic stays on
// 127.0.0.0/8: the "internal service" is a TCP listener on 127.0.0.1 that counts connections, which must stay at 0.
function asForm(values: Record<string, unknown>): FormData {
  const fd = new FormData();
  fd.set("orgSlug", String(values.orgSlug));
  fd.set("__json", JSON.stringify(values));
  return fd;
}

describe("SSRF: private addresses, redirects and DNS rebinding", () => {
  const t = useReliabilityDatabase();
  let internal: Awaited<ReturnType<typeof startMisbehavingServer>>;
  const saved = process.env.WEBHOOK_ALLOW_PRIVATE_URLS;
  beforeAll(async () => {
    internal = await startMisbehavingServer("silent");
  });
  afterEach(async () => {
    actAs(null);
    await closeSendPools();
    if (saved === undefined) delete process.env.WEBHOOK_ALLOW_PRIVATE_URLS;
    else process.env.WEBHOOK_ALLOW_PRIVATE_URLS = saved;
  });
  afterAll(async () => {
    await internal.close();
  });

  const privateUrls = () => {
    const port = new URL(internal.url).port;
    return [
      ["loopback", `https://127.0.0.1:${port}/hook`],
      ["loopback (other)", `https://127.0.0.2:${port}/hook`],
      ["10/8", `https://10.0.0.1:${port}/hook`],
      ["cloud metadata", "https://169.254.169.254/latest/meta-data/"],
      ["::1", `https://[::1]:${port}/hook`],
      ["IPv4-mapped loopback", `https://[::ffff:127.0.0.1]:${port}/hook`],
      ["decimal IPv4", `https://2130706433:${port}/hook`],
      ["hex IPv4", `https://0x7f000001:${port}/hook`],
      ["localhost", `https://localhost:${port}/hook`],
      ["http to loopback", `http://127.0.0.1:${port}/hook`],
    ] as const;
  };

  it("Send test event refuses every private address form when private URLs are not allowed, without connecting", async () => {
    delete process.env.WEBHOOK_ALLOW_PRIVATE_URLS; // the default: unset
    const { orgA, ownerA } = await twoOrgs(t.db);
    actAs(ownerA.id);
    for (const [label, url] of privateUrls()) {
      const state = await sendTestEventAction(null, asForm(webhookForm(orgA.slug, "ssrf", url)));
      expect(state?.ok, `${label}: ${url}`).toBe(false);
      expect(`${state?.message} ${JSON.stringify(state?.errors ?? {})}`, label).toMatch(/private address|must use https/i);
    }
    expect(internal.connections()).toBe(0);
    expect(await count(t.db, "select count(*) from delivery_attempts")).toBe(0);
  });

  it("the endpoint check on Create refuses every private address form, saves nothing and never connects", async () => {
    delete process.env.WEBHOOK_ALLOW_PRIVATE_URLS; // the default: unset
    const { orgA, ownerA } = await twoOrgs(t.db);
    actAs(ownerA.id);
    for (const [label, url] of privateUrls()) {
      const state = await createWebhookAction(null, asForm(webhookForm(orgA.slug, `ssrf ${label}`, url, { skipEndpointCheck: false })));
      expect(state?.ok, `${label}: ${url}`).toBe(false);
      expect(`${state?.message} ${JSON.stringify(state?.errors ?? {})}`, label).toMatch(/private address|must use https/i);
    }
    expect(internal.connections()).toBe(0);
    expect(await count(t.db, "select count(*) from webhooks")).toBe(0);
  });

  it("saving refuses private literal addresses and host names that resolve to them, even with Skip endpoint check (create and edit)", async () => {
    delete process.env.WEBHOOK_ALLOW_PRIVATE_URLS; // the default: unset
    const { orgA, ownerA } = await twoOrgs(t.db);
    actAs(ownerA.id);
    // a name this machine resolves to a non-public address (the issue's `https://vm:4443/`), when there is one
    const names: string[] = [];
    for (const name of ["vm", "runsc"]) {
      const found = await lookup(name, { all: true }).catch(() => []);
      if (found.length > 0 && found.every((a) => nonPublicReason(a.address))) names.push(name);
    }
    const urls = [
      ...privateUrls().filter(([label]) => label !== "http to loopback").map(([, url]) => url),
      ...names.map((n) => `https://${n}:4443/`),
    ];
    for (const url of urls) {
      const state = await createWebhookAction(null, asForm(webhookForm(orgA.slug, `save ${url}`.slice(0, 50), url, { skipEndpointCheck: true })));
      expect(state?.ok, url).toBe(false);
      expect(state?.errors?.url?.join(" "), url).toMatch(/private address .*WEBHOOK_ALLOW_PRIVATE_URLS=1/);
    }
    expect(await count(t.db, "select count(*) from webhooks")).toBe(0);

    // edit: a saved public webhook cannot be moved to a private target either
    const [hook] = await insertWebhook(t.db, orgA.id, "https://hooks.example.com/in", { name: "public" }).then((r) => [r.hook]);
    for (const url of urls) {
      const state = await updateWebhookAction(null, asForm(webhookForm(orgA.slug, "public", url, { id: hook.id, skipEndpointCheck: true })));
      expect(state?.ok, url).toBe(false);
      expect(state?.errors?.url?.join(" "), url).toMatch(/private address/);
    }
    expect(await count(t.db, "select count(*) from webhooks where url <> 'https://hooks.example.com/in'")).toBe(0);
    expect(internal.connections()).toBe(0);
  });

  it("deliveries to a webhook whose URL points at a private address are refused at send time, without connecting", async () => {
    delete process.env.WEBHOOK_ALLOW_PRIVATE_URLS; // the default: unset
    const { org, device } = await seedDeliveryOrg(t.db);
    // stored before the policy changed (or through the database): the send path checks again
    for (const [label, url] of privateUrls()) await insertWebhook(t.db, org.id, url, { name: label });
    await emitOffline(t.db, org, device, new Date(), 1);
    const r = await processOutbox({});
    expect(r.claimed).toBe(privateUrls().length);
    expect(r.succeeded).toBe(0);
    expect(internal.connections()).toBe(0);
    const errors = await count(t.db, "select count(*) from delivery_attempts where error like 'URL resolves to a private address%' or error like 'URL must use https%'");
    expect(errors).toBe(privateUrls().length);
  });

  it("a redirect to a private address is not followed, for test events and deliveries", async () => {
    process.env.WEBHOOK_ALLOW_PRIVATE_URLS = "1"; // to reach the local receiver at all
    const target = await startReceiver();
    const redirecting = await startReceiver(behaviours.redirect(`${target.url}/internal`));
    try {
      const { orgA, ownerA } = await twoOrgs(t.db);
      actAs(ownerA.id);
      const state = await sendTestEventAction(null, asForm(webhookForm(orgA.slug, "redirect", `${redirecting.url}/hook`)));
      expect(state?.ok).toBe(false);
      expect(state?.message).toMatch(/redirect not followed/);
      await insertWebhook(t.db, orgA.id, `${redirecting.url}/hook`, { name: "redirect" });
      const { devices } = await import("@/db/schema");
      const [device] = await t.db.insert(devices).values({ orgId: orgA.id, udid: "redir", name: "Redirect" }).returning();
      await emitOffline(t.db, orgA, { ...device, tags: [] }, new Date(), 1);
      const r = await processOutbox({});
      expect(r).toMatchObject({ claimed: 1, succeeded: 0 });
      expect(redirecting.requests).toHaveLength(2);
      expect(target.requests).toHaveLength(0);
      expect(await count(t.db, "select count(*) from delivery_attempts where error like 'redirect not followed%'")).toBe(1);
    } finally {
      await target.close();
      await redirecting.close();
    }
  });

  it("DNS rebinding: the host name is resolved once and the connection goes to the checked address", async () => {
    // two receivers on the same port: the checked address 127.0.0.2 and the rebound one 127.0.0.1
    const hits = { checked: 0, rebound: 0 };
    const checked = http.createServer((req, res) => {
      hits.checked++;
      res.end(`checked ${req.headers.host}`);
    });
    await new Promise<void>((r) => checked.listen(0, "127.0.0.2", r));
    const port = (checked.address() as AddressInfo).port;
    const rebound = http.createServer((_req, res) => {
      hits.rebound++;
      res.end("rebound");
    });
    await new Promise<void>((r, reject) => rebound.once("error", reject).listen(port, "127.0.0.1", r));
    try {
      let lookups = 0;
      const lookup = async () => {
        lookups++;
        return [{ address: lookups === 1 ? "127.0.0.2" : "127.0.0.1", family: 4 }];
      };
      const built: BuiltRequest = { method: "POST", url: `http://rebind.example:${port}/hook`, headers: { "content-type": "application/json" }, body: "{}" };
      const result = await sendHttpRequest(built, { guard: { allowPrivate: true, lookup } });
      expect(result.status).toBe(200);
      expect(result.body).toBe(`checked rebind.example:${port}`); // Host header kept, socket pinned
      expect(lookups).toBe(1);
      expect(hits).toEqual({ checked: 1, rebound: 0 });

      // with private addresses refused: a name answering public then private is judged on what it answers at
      // check time, and an answer that includes any private address is refused outright (no connection)
      let calls = 0;
      const flip = async () => (calls++ === 0 ? [{ address: "10.1.2.3", family: 4 }] : [{ address: "93.184.216.34", family: 4 }]);
      const refused = await sendHttpRequest({ ...built, url: `https://rebind.example:${port}/` }, { guard: { allowPrivate: false, lookup: flip } });
      expect(refused).toMatchObject({ ok: false, errorCode: "private_address" });
      const mixed = await sendHttpRequest({ ...built, url: `https://rebind.example:${port}/` }, {
        guard: { allowPrivate: false, lookup: async () => [{ address: "93.184.216.34", family: 4 }, { address: "127.0.0.1", family: 4 }] },
      });
      expect(mixed).toMatchObject({ ok: false, errorCode: "private_address" });
      expect(hits).toEqual({ checked: 1, rebound: 0 });
    } finally {
      await closeSendPools();
      checked.closeAllConnections();
      rebound.closeAllConnections();
      await new Promise<void>((r) => checked.close(() => r()));
      await new Promise<void>((r) => rebound.close(() => r()));
    }
  });
});
