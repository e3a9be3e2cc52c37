import { describe, expect, it } from "vitest";
import { decideOutcome } from "@/lib/delivery/retry";
import { buildEventEnvelope, sampleEvent } from "@/lib/webhooks/envelope";
import {
  buildWebhookRequest,
  renderTemplate,
  TEMPLATE_MAX_SECTION_DEPTH,
  TemplateBudgetError,
  templateProblem,
} from "@/lib/webhooks/request";
import type { WebhookSettings } from "@/lib/webhooks/types";
import { webhookRequestSchema } from "@/lib/validation/webhooks";

// Issue #16 item 1: mustache sections nest, and each level repeats everything inside it per list item, so a
// 252-character template over an event with 10 tags costs 10^9 steps. Refused at save; budgeted at render.
const nested = (depth: number, inner = "{{.}}") => `${"{{#data.tags}}".repeat(depth)}${inner}${"{{/data.tags}}".repeat(depth)}`;
const TEN_TAGS = Array.from({ length: 10 }, (_, i) => `t${i}`);

function envelope(data: Record<string, unknown>) {
  const event = sampleEvent("device.status.offline", 2, new Date("2026-11-23T10:00:00Z"), "evt_01JD0000000000000000000000");
  event.payload = data;
  return buildEventEnvelope(event, { id: 1, name: "w" });
}

const settings = (bodyTemplate: string): WebhookSettings => ({
  id: 1,
  name: "w",
  url: "https://hooks.example.com/in",
  method: "POST",
  format: "custom",
  bodyTemplate,
  contentType: "text/plain",
  headers: [],
  queryParams: [],
  auth: { type: "none" },
});

describe("template rendering budget", () => {
  it("refuses sections nested deeper than the limit at save, with a field error on the Custom body", () => {
    expect(templateProblem(nested(TEMPLATE_MAX_SECTION_DEPTH))).toBeNull();
    expect(templateProblem(nested(TEMPLATE_MAX_SECTION_DEPTH + 1))).toMatch(/nest 4 levels deep; at most 3/);
    // inverted sections count too
    expect(templateProblem("{{^a}}{{^b}}{{#c}}{{#d}}x{{/d}}{{/c}}{{/b}}{{/a}}")).toMatch(/nest 4 levels/);
    // siblings do not add up
    expect(templateProblem(`${nested(3)}${nested(3)}`)).toBeNull();

    const parsed = webhookRequestSchema({ allowHttp: false }).safeParse({
      url: "https://hooks.example.com/in",
      format: "custom",
      contentType: "text/plain",
      bodyTemplate: nested(9),
    });
    expect(parsed.success).toBe(false);
    const fields = parsed.success ? {} : (parsed.error.flatten().fieldErrors as Record<string, string[]>);
    expect(fields.bodyTemplate?.join(" ")).toMatch(/sections nest 9 levels deep/);
  });

  it("stops the exact attack (9 levels over 10 tags) quickly with a budget error instead of 10^9 steps", () => {
    const started = performance.now();
    expect(() => buildWebhookRequest(settings(nested(9)), envelope({ tags: TEN_TAGS }))).toThrow(TemplateBudgetError);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it("caps the output size (a wide template that repeats a big value)", () => {
    const big = "x".repeat(100_000);
    const started = performance.now();
    expect(() => renderTemplate("{{#data.tags}}{{{data.big}}}{{/data.tags}}", { data: { tags: TEN_TAGS, big } }, "none")).toThrow(
      /larger than 512 KB/,
    );
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it("renders ordinary templates exactly as before", () => {
    const built = buildWebhookRequest(settings(`tags: {{#data.tags}}{{.}},{{/data.tags}} <{{deviceName}}>`), envelope({ tags: ["a", "b"] }));
    expect(built.body).toBe("tags: a,b, <Galaxy Note 8>");
    expect(renderTemplate("{{#a}}{{#b}}{{x}}{{/b}}{{/a}}", { a: [{ b: [{ x: 1 }, { x: 2 }] }] }, "none")).toBe("12");
    expect(renderTemplate('{"v":"{{v}}"}', { v: 'say "hi"' }, "json")).toBe('{"v":"say \\"hi\\""}');
  });

  it("a request that cannot be built fails for good (no retry schedule)", () => {
    const sent = { ok: false, status: null, headers: {}, body: "", durationMs: 0, error: "could not build the request", errorCode: "build" as const };
    expect(decideOutcome(sent, 1, new Date(), [5, 300], () => 0.5)).toEqual({ kind: "failed" });
    expect(decideOutcome({ ...sent, errorCode: "network" }, 1, new Date(), [5, 300], () => 0.5).kind).toBe("retry");
  });
});
