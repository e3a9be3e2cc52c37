// The form's request preview renders on the server and again in the browser (hydration): both renders must produce
// the same text, whatever the clock says and whatever address the browser is on (React #418 otherwise).
import { createElement as h } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { afterEach, describe, expect, it, vi } from "vitest";
import { RequestPreview } from "@/components/webhooks/request-preview";
import { presetById } from "@/lib/webhooks/presets";
import { webhookSettings } from "../support/webhook-fixtures";

const render = (settings: ReturnType<typeof webhookSettings>, portalBase = "https://portal.example.test") =>
  renderToStaticMarkup(h(RequestPreview, { settings, eventType: "device.status.offline", orgId: 2, portalBase }));

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe("request preview", () => {
  it("renders the same at two different times (fixed sample send time: creationTime)", () => {
    const settings = webhookSettings({ format: "json" });
    vi.useFakeTimers();
    vi.setSystemTime(new Date("2026-12-03T07:00:00.000Z"));
    const first = render(settings);
    vi.setSystemTime(new Date("2026-12-03T07:00:01.234Z"));
    expect(render(settings)).toBe(first);
    expect(first).toContain("&quot;creationTime&quot;: &quot;2026-11-23T10:00:05.120Z&quot;");
  });

  it("links deviceUrl under the portal base the page hands down, not the browser's own origin", () => {
    const p = presetById("slack")!;
    const settings = webhookSettings({ format: p.format, method: p.method, contentType: p.contentType || null, bodyTemplate: p.bodyTemplate || null, headers: p.headers });
    const server = render(settings);
    expect(server).toContain("https://portal.example.test/go/device/2/ce0917198075440c057e");
    // as in the browser, on another address than APP_URL
    vi.stubGlobal("window", { location: { origin: "http://127.0.0.1:3471" } });
    expect(render(settings)).toBe(server);
  });
});
