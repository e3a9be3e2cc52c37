import { sql } from "drizzle-orm";
import fc from "fast-check";
import { NextRequest } from "next/server";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { GET as deliveriesRoute } from "@/app/api/orgs/[slug]/deliveries/route";
import { GET as devicesListRoute, POST as devicesCreateRoute } from "@/app/api/orgs/[slug]/devices/route";
import { POST as signalsRoute } from "@/app/api/v1/devices/[udid]/signals/route";
import { POST as statusRoute } from "@/app/api/v1/devices/[udid]/status/route";
import { queryRows, type Db } from "@/db/client";
import { inboxRequests } from "@/db/schema";
import { createDeviceAction } from "@/lib/actions/devices";
import { createWebhookAction } from "@/lib/actions/webhooks";
import { resetDeviceRateLimits } from "@/lib/devices/api";
import { pendingKick } from "@/lib/delivery/kick";
import { makeDevice, subscribeAll } from "../devices/helpers";
import { insertInbox, sendToInbox } from "../inbox/helpers";
import { twoOrgs } from "../support/fixtures";
import { actAs } from "../support/session";
import { useReliabilityDatabase } from "./support/db";
import { webhookForm } from "./support/tenants";

// Issue #16 item 8: NUL characters and lone surrogates answered 500 (PostgreSQL 22P05 / 22021) — in the status
// and signals API, the session JSON routes, the list routes' query strings and server-action input. Each is now
// refused where it enters (readJsonBody, formDataToObject, the list routes' query parsing) with a 400 or a field
// error naming the field, and changes nothing. Run on the PostgreSQL server, whose text type refuses both.
const BAD = ["\u0000", "\ud800", "\udfff", "a\u0000b", "x\udbffy"];
const badString = fc
  .tuple(fc.string({ maxLength: 8 }), fc.constantFrom(...BAD), fc.string({ maxLength: 8 }))
  .map(([a, bad, b]) => `${a}${bad}${b}`);

async function digest(db: Db): Promise<string> {
  const [row] = await queryRows<{ d: string }>(
    db,
    sql`select md5(concat_ws('|',
          (select string_agg((to_jsonb(d) - 'auth_failure_event_at' - 'last_seen_at' - 'updated_at')::text, ',' order by id) from devices d),
          (select count(*) from signals), (select count(*) from events), (select count(*) from webhooks),
          (select count(*) from audit_log))) as d`,
  );
  return row.d;
}

function asForm(values: Record<string, unknown>): FormData {
  const fd = new FormData();
  fd.set("orgSlug", String(values.orgSlug));
  fd.set("__json", JSON.stringify(values));
  return fd;
}

describe("NUL characters and lone surrogates are refused where input enters", () => {
  const t = useReliabilityDatabase({ truncate: false });
  let token: string;
  let org: { id: number; slug: string };
  let owner: { id: number };
  beforeAll(async () => {
    const { orgA, ownerA } = await twoOrgs(t.db);
    org = orgA;
    owner = ownerA;
    await subscribeAll(t.db, org.id);
    ({ token } = await makeDevice(t.db, org.id, "nul-1"));
  });
  afterEach(() => actAs(null));
  afterAll(async () => {
    await pendingKick()?.catch(() => undefined);
  });

  async function post(route: typeof statusRoute, body: string) {
    resetDeviceRateLimits();
    const req = new Request("http://localhost/api/v1/devices/nul-1/x", {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body,
    });
    const res = await route(req, { params: Promise.resolve({ udid: "nul-1" }) });
    return { status: res.status, json: (await res.json()) as { error?: { code: string; message: string } } };
  }

  it("the issue's cases answer 400 naming the field, not 500", async () => {
    const before = await digest(t.db);
    const cases: [typeof statusRoute, string, RegExp][] = [
      [statusRoute, String.raw`{"status":"online","firmwareVersion":"a\u0000b"}`, /^firmwareVersion: .*NUL/],
      [statusRoute, String.raw`{"status":"online","firmwareVersion":"\ud800"}`, /^firmwareVersion: .*surrogate/],
      [signalsRoute, String.raw`{"signals":{"temp":"a\u0000b"}}`, /^signals\.temp: /],
      [signalsRoute, String.raw`{"signals":{"t\u0000":1}}`, /^signals\.t/],
      [signalsRoute, String.raw`{"signals":{"list":["ok","\udc00"]}}`, /^signals\.list\[1\]: /],
    ];
    for (const [route, body, message] of cases) {
      const r = await post(route, body);
      expect(r.status, body).toBe(400);
      expect(r.json.error?.message, body).toMatch(message);
    }
    expect(await digest(t.db)).toBe(before);
    // a well-formed pair (an emoji, written as escapes) is fine
    expect((await post(statusRoute, String.raw`{"status":"online","firmwareVersion":"v\ud83d\ude00"}`)).status).toBe(200);
  });

  it("fuzz: a bad character anywhere in a status or signals body is a 400, never a 500, and changes nothing", async () => {
    const before = await digest(t.db);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          badString.map((s) => [statusRoute, JSON.stringify({ status: "online", firmwareVersion: s })] as const),
          badString.map((s) => [statusRoute, JSON.stringify({ status: "offline", [s]: 1 })] as const),
          fc.tuple(fc.stringMatching(/^[a-z]{1,8}$/), badString).map(([k, s]) => [signalsRoute, JSON.stringify({ signals: { [k]: s } })] as const),
          badString.map((s) => [signalsRoute, JSON.stringify({ signals: { [s]: 1 } })] as const),
          fc.tuple(fc.stringMatching(/^[a-z]{1,8}$/), badString).map(([k, s]) => [signalsRoute, JSON.stringify({ signals: { [k]: { deep: [s] } } })] as const),
        ),
        async ([route, body]) => {
          const r = await post(route, body);
          expect(r.status).toBe(400);
        },
      ),
      { numRuns: 150 },
    );
    expect(await digest(t.db)).toBe(before);
  });

  it("the session JSON routes: list query strings and create bodies", async () => {
    actAs(owner.id);
    const params = { params: Promise.resolve({ slug: org.slug }) };
    for (const query of ["q=%00", "q=a%00b", "tag=%00", "%00=1", "after=%00"]) {
      const res = await devicesListRoute(new NextRequest(`http://localhost/api/orgs/${org.slug}/devices?${query}`), params);
      expect(res.status, query).toBe(400);
    }
    for (const query of ["device=%00", "eventType=%00", "device=x%00"]) {
      const res = await deliveriesRoute(new NextRequest(`http://localhost/api/orgs/${org.slug}/deliveries?${query}`), params);
      expect(res.status, query).toBe(400);
    }
    expect((await devicesListRoute(new NextRequest(`http://localhost/api/orgs/${org.slug}/devices?q=nul`), params)).status).toBe(200);
    const before = await digest(t.db);
    for (const body of [String.raw`{"udid":"nul-2","name":"a\u0000b"}`, String.raw`{"udid":"nul-2","name":"\ud800"}`]) {
      const res = await devicesCreateRoute(
        new NextRequest(`http://localhost/api/orgs/${org.slug}/devices`, { method: "POST", body, headers: { "content-type": "application/json", origin: "http://localhost" } }),
        params,
      );
      expect(res.status, body).toBe(400);
    }
    expect(await digest(t.db)).toBe(before);
  });

  it("server actions: a bad character in any field is a field error, nothing saved", async () => {
    actAs(owner.id);
    const before = await digest(t.db);
    await fc.assert(
      fc.asyncProperty(badString, fc.constantFrom("name", "udid", "tags"), async (bad, field) => {
        const values: Record<string, string> = { orgSlug: org.slug, udid: "nul-action", name: "Nul", tags: "", offlineAfterSeconds: "300", [field]: bad };
        // as a plain object (what a client component's call sends: lone surrogates survive) and as FormData (where
        // the browser and undici turn a lone surrogate into U+FFFD, so only NUL gets through)
        const fd = new FormData();
        for (const [k, v] of Object.entries(values)) fd.set(k, v);
        const inputs: (FormData | Record<string, string>)[] = [values];
        if (bad.includes("\u0000")) inputs.push(fd);
        for (const input of inputs) {
          const state = (await createDeviceAction(null, input)) as { ok: boolean; errors?: Record<string, string[]> };
          expect(state.ok).toBe(false);
          expect(state.errors?.[field]?.join(" ")).toMatch(/NUL character or an unpaired surrogate/);
        }
      }),
      { numRuns: 30 },
    );
    for (const extra of [
      { name: "a\u0000b" },
      { description: "\ud800" },
      { headers: [{ name: "X-A", value: "v\udc00" }] },
      { bodyTemplate: "{{x}}\u0000", format: "custom", contentType: "text/plain" },
    ]) {
      const state = await createWebhookAction(null, asForm(webhookForm(org.slug, "nul", "https://hooks.example.com/in", extra)));
      expect(state?.ok, JSON.stringify(extra)).toBe(false);
      expect(Object.values(state?.errors ?? {}).flat().join(" ")).toMatch(/NUL character or an unpaired surrogate/);
    }
    expect(await digest(t.db)).toBe(before);
  });

  it("the inbox stores a body with NUL bytes as base64 instead of failing", async () => {
    const inbox = await insertInbox(t.db, org.id);
    const res = await sendToInbox(inbox.token, { body: new Uint8Array([0x61, 0x00, 0x62]), headers: { "content-type": "text/plain" } });
    expect(res.status).toBe(200);
    const rows = await t.db.select().from(inboxRequests);
    const row = rows.find((r) => r.inboxId === inbox.id)!;
    expect(row).toMatchObject({ bodyEncoding: "base64", body: Buffer.from("a\u0000b").toString("base64") });
  });
});
