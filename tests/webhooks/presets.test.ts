import { describe, expect, it } from "vitest";
import { buildEventEnvelope, sampleEvent } from "@/lib/webhooks/envelope";
import { presetById, WEBHOOK_PRESETS } from "@/lib/webhooks/presets";
import { buildWebhookRequest, templateProblem } from "@/lib/webhooks/request";
import { webhookFormSchema } from "@/lib/validation/webhooks";
import type { EventType } from "@/lib/events/catalog";
import { webhookSettings } from "../support/webhook-fixtures";

const NOW = new Date("2026-11-23T10:00:00.000Z");

/** A preset's request for a sample event (optionally with a hostile device name / data), through the real builder. */
function build(id: string, type: EventType, over: { deviceName?: string; data?: Record<string, unknown> } = {}) {
  const p = presetById(id)!;
  const event = sampleEvent(type, 2, NOW, "evt_01JD0000000000000000000000");
  if (over.deviceName !== undefined) event.deviceName = over.deviceName;
  if (over.data) event.payload = over.data;
  const settings = webhookSettings({ format: p.format, method: p.method, contentType: p.contentType || null, bodyTemplate: p.bodyTemplate || null, headers: p.headers });
  return buildWebhookRequest(settings, buildEventEnvelope(event, { id: 1, name: "Preset" }));
}

const HOSTILE = 'Lab "phone", rack=2\\ \n{{json}}';

describe("webhook presets", () => {
  it("every preset parses, passes the form's schema and subscribes to catalog events", () => {
    const schema = webhookFormSchema({ allowHttp: false, storedAuthType: null });
    for (const p of WEBHOOK_PRESETS) {
      expect(templateProblem(p.bodyTemplate), p.id).toBeNull();
      const parsed = schema.safeParse({
        orgSlug: "acme",
        name: p.label,
        url: "https://hooks.example.com/x",
        description: "",
        events: p.events,
        method: p.method,
        format: p.format,
        bodyTemplate: p.bodyTemplate,
        contentType: p.contentType,
        headers: p.headers,
        queryParams: [],
        authType: "none",
        deviceScope: "all",
        skipEndpointCheck: true,
      });
      expect(parsed.success, `${p.id}: ${parsed.success ? "" : JSON.stringify(parsed.error.issues)}`).toBe(true);
    }
  });

  it.each(["slack", "teams", "discord"])("%s: a JSON message that stays valid whatever the device is called", (id) => {
    const built = build(id, "device.status.offline", { deviceName: HOSTILE });
    expect(built.headers["content-type"]).toBe("application/json");
    const body = JSON.parse(built.body);
    const text: string = id === "slack" ? body.text : id === "discord" ? body.content : body.text;
    expect(text).toContain(HOSTILE);
    expect(text).toContain("Offline");
    expect(text).toContain("status offline");
    expect(text).toContain("2026-11-23T10:00:00.000Z");
    if (id === "teams") expect(body).toMatchObject({ "@type": "MessageCard", title: `${HOSTILE}: Offline` });
    if (id === "discord") expect(body.username).toBe("Signalpost");
  });

  it.each(["slack", "teams", "discord"])("%s: links to the device's page in the portal (APP_URL)", (id) => {
    const saved = process.env.APP_URL;
    process.env.APP_URL = "https://portal.example.test/";
    try {
      const link = "https://portal.example.test/go/device/2/ce0917198075440c057e";
      const body = JSON.parse(build(id, "device.status.offline", { deviceName: HOSTILE }).body);
      if (id === "slack") expect(body.text).toContain(` <${link}|Open device>`);
      if (id === "discord") expect(body.content).toContain(` [Open device](${link})`);
      if (id === "teams") {
        expect(body.text).toContain(`[Open device](${link})`);
        expect(body.potentialAction).toEqual([{ "@type": "OpenUri", name: "Open device", targets: [{ os: "default", uri: link }] }]);
      }
      // an event about no device: no link, and the JSON stays valid
      const orgEvent = JSON.parse(build(id, "api_key.created").body);
      expect(JSON.stringify(orgEvent)).not.toContain("/go/device/");
    } finally {
      if (saved === undefined) delete process.env.APP_URL;
      else process.env.APP_URL = saved;
    }
  });

  it("InfluxDB: one line per signal for telemetry, the status as a field otherwise, escaped", () => {
    const telemetry = build("influxdb", "device.telemetry", { deviceName: "Lab phone, rack=2", data: { signals: { temperature: 21.5, "battery level": 87, charging: true, mode: 'eco "x"' } } });
    expect(telemetry.headers["content-type"]).toBe("text/plain; charset=utf-8");
    expect(telemetry.headers.Authorization).toBe("Token YOUR_INFLUXDB_TOKEN");
    const ms = String(NOW.getTime());
    const tags = "udid=ce0917198075440c057e,device=Lab\\ phone\\,\\ rack\\=2";
    expect(telemetry.body.trimEnd().split("\n")).toEqual([
      `device_signals,${tags} temperature=21.5 ${ms}`,
      `device_signals,${tags} battery\\ level=87 ${ms}`,
      `device_signals,${tags} charging=true ${ms}`,
      `device_signals,${tags} mode="eco \\"x\\"" ${ms}`,
    ]);
    const offline = build("influxdb", "device.status.offline", { deviceName: "a\nb" });
    expect(offline.body.trimEnd().split("\n")).toEqual([
      `device_events,udid=ce0917198075440c057e,device=a\\ b,event=device.status.offline status="offline" ${ms}`,
    ]);
  });

  it("Datacake and Generic JSON: JSON bodies carrying the device and the envelope", () => {
    const datacake = JSON.parse(build("datacake", "device.status.online", { deviceName: HOSTILE }).body);
    expect(datacake).toMatchObject({ device: "ce0917198075440c057e", name: HOSTILE, event: "device.status.online", status: "online" });
    expect(datacake.envelope.eventActivity).toBe("device.status.online");
    const generic = JSON.parse(build("generic", "device.status.online").body);
    expect(generic).toMatchObject({ eventActivity: "device.status.online", data: { status: "online" } });
  });
});
