import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EVENT_CATALOG } from "@/lib/events/catalog";
import { buildEventEnvelope, sampleEvent } from "@/lib/webhooks/envelope";
import { buildWebhookRequest } from "@/lib/webhooks/request";
import { newWebhookSecret, signRequest } from "@/lib/webhooks/signing";
import type { WebhookSettings } from "@/lib/webhooks/types";
import { behaviours, startReceiver, type Receiver } from "../support/receiver";
import { webhookSettings } from "../support/webhook-fixtures";

const base = webhookSettings({ id: 1, name: "Signed", url: "http://127.0.0.1/" });

function signed(settings: WebhookSettings, secrets: string[], type: (typeof EVENT_CATALOG)[number]["type"] = "webhook.test") {
  const event = sampleEvent(type, 1);
  const built = buildWebhookRequest(settings, buildEventEnvelope(event, { id: settings.id, name: settings.name }));
  return signRequest(built, event.id, new Date(), secrets);
}

describe("newWebhookSecret", () => {
  it("is whsec_ + base64 of 32 random bytes", () => {
    const s = newWebhookSecret();
    expect(s).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(s.slice(6), "base64")).toHaveLength(32);
    expect(newWebhookSecret()).not.toBe(s);
  });
});

describe("signRequest verifies with the standardwebhooks package", () => {
  it.each(EVENT_CATALOG.map((e) => [e.type]))("%s", (type) => {
    const secret = newWebhookSecret();
    const req = signed(base, [secret], type);
    expect(req.headers["webhook-id"]).toMatch(/^evt_/);
    expect(req.headers["webhook-timestamp"]).toMatch(/^\d{10}$/);
    expect(req.headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    const payload = new Webhook(secret).verify(req.body, req.headers) as { eventActivity: string };
    expect(payload.eventActivity).toBe(type);
  });

  it("form and custom bodies with unicode verify on their exact bytes", () => {
    const secret = newWebhookSecret();
    for (const settings of [
      { ...base, format: "form" as const },
      { ...base, format: "custom" as const, contentType: "text/plain", bodyTemplate: "Gerät {{deviceName}} ✓ {{data.message}}" },
    ]) {
      const req = signed(settings, [secret]);
      expect(() => new Webhook(secret).verify(req.body, req.headers, { jsonParse: false } as never)).not.toThrow();
    }
  });

  it("a wrong secret or a changed body fails verification", () => {
    const secret = newWebhookSecret();
    const req = signed(base, [secret]);
    expect(() => new Webhook(newWebhookSecret()).verify(req.body, req.headers)).toThrow();
    expect(() => new Webhook(secret).verify(req.body + " ", req.headers)).toThrow();
  });

  it("during a rotation overlap both signatures are sent and either secret verifies", () => {
    const current = newWebhookSecret();
    const previous = newWebhookSecret();
    const req = signed(base, [current, previous]);
    expect(req.headers["webhook-signature"].split(" ")).toHaveLength(2);
    expect(new Webhook(current).verify(req.body, req.headers)).toBeTruthy();
    expect(new Webhook(previous).verify(req.body, req.headers)).toBeTruthy();
    expect(() => new Webhook(newWebhookSecret()).verify(req.body, req.headers)).toThrow();
  });

  it("refuses to sign without a secret", () => {
    expect(() => signed(base, [])).toThrow(/No signing secret/);
  });
});

describe("a real receiver on 127.0.0.1", () => {
  const secret = newWebhookSecret();
  const verifies = (body: string, headers: Record<string, string>) => {
    try {
      new Webhook(secret).verify(body, headers);
      return true;
    } catch {
      return false;
    }
  };
  let receiver: Receiver;
  let url: string;

  beforeAll(async () => {
    receiver = await startReceiver();
    receiver.respondWith((r) => (verifies(r.body, r.headers) ? behaviours.ok("verified") : behaviours.status(401, "bad signature")));
    url = `${receiver.url}/hook`;
  });
  afterAll(() => receiver.close());

  it("receives a signed test event with custom headers, query and bearer auth and verifies it", async () => {
    const req = signed(
      {
        ...base,
        url,
        method: "PUT",
        headers: [{ name: "X-Device", value: "{{deviceUdid}}" }],
        queryParams: [{ name: "event", value: "{{eventActivity}}" }],
        auth: { type: "bearer", token: "secret-token" },
      },
      [secret],
    );
    const res = await fetch(req.url, { method: req.method, headers: req.headers, body: req.body });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("verified");
    const got = receiver.requests.at(-1)!;
    expect(verifies(got.body, got.headers)).toBe(true);
    expect(got.method).toBe("PUT");
    expect(got.path).toBe("/hook?event=webhook.test");
    expect(got.headers["x-device"]).toBe("ce0917198075440c057e");
    expect(got.headers.authorization).toBe("Bearer secret-token");
    expect(got.headers["user-agent"]).toMatch(/^Signalpost-Webhooks\/\d+\.\d+\.\d+/);
  });
});
