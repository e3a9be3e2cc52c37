import * as crypto from "node:crypto";
import { NextRequest } from "next/server";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { GET as cronRoute } from "@/app/api/cron/deliver/route";
import { POST as statusRoute } from "@/app/api/v1/devices/[udid]/status/route";
import { users } from "@/db/schema";
import { checkCredentials, SIGN_IN_MAX_FAILURES } from "@/lib/auth/credentials";
import { hashPassword } from "@/lib/auth/password";
import { resetDeviceRateLimits } from "@/lib/devices/api";
import { pendingKick } from "@/lib/delivery/kick";
import { makeDevice } from "../devices/helpers";
import { insertOrg } from "../support/fixtures";
import { count, useReliabilityDatabase } from "./support/db";

// Abuse limits: sign-in brute force, a status-API flood from one device, and the cron route's secret.
vi.mock("node:crypto", async (importOriginal) => {
  const actual = await importOriginal<typeof import("node:crypto")>();
  return { ...actual, timingSafeEqual: vi.fn(actual.timingSafeEqual) };
});

describe("abuse limits", () => {
  const t = useReliabilityDatabase();
  const saved = { cron: process.env.CRON_SECRET, rate: process.env.DEVICE_RATE_PER_SECOND, burst: process.env.DEVICE_RATE_BURST };
  beforeAll(() => {
    delete process.env.DEVICE_RATE_PER_SECOND; // the defaults: 10/s, burst 20
    delete process.env.DEVICE_RATE_BURST;
  });
  beforeEach(() => resetDeviceRateLimits());
  afterAll(async () => {
    await pendingKick()?.catch(() => undefined);
    for (const [k, v] of [["CRON_SECRET", saved.cron], ["DEVICE_RATE_PER_SECOND", saved.rate], ["DEVICE_RATE_BURST", saved.burst]] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    resetDeviceRateLimits();
  });

  it("sign-in brute force: after the allowed failures even the right password is refused, per email and per address", async () => {
    const passwordHash = await hashPassword("correct horse battery staple");
    await t.db.insert(users).values([
      { email: "victim@example.com", name: "Victim", passwordHash },
      { email: "bystander@example.com", name: "Bystander", passwordHash },
    ]);
    for (let i = 0; i < SIGN_IN_MAX_FAILURES; i++) {
      expect(await checkCredentials("victim@example.com", `guess-${i}`, "203.0.113.7")).toEqual({ ok: false, reason: "invalid" });
    }
    // over the limit: refused without checking the password, with the time to wait
    const limited = await checkCredentials("victim@example.com", "correct horse battery staple", "198.51.100.1");
    expect(limited).toMatchObject({ ok: false, reason: "rate_limited" });
    expect((limited as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThan(0);
    for (let i = 0; i < 20; i++) expect((await checkCredentials("VICTIM@example.com ", `guess-x${i}`, `198.51.100.${i}`)).ok).toBe(false);
    // one address trying many emails is limited too (4× the per-email limit)
    let addressLimited = false;
    for (let i = 0; i < SIGN_IN_MAX_FAILURES * 4 + 1 && !addressLimited; i++) {
      const r = await checkCredentials(`someone${i}@example.com`, "guess", "192.0.2.66");
      addressLimited = r.ok === false && r.reason === "rate_limited";
    }
    expect(addressLimited).toBe(true);
    // other users from other addresses are not affected
    expect(await checkCredentials("bystander@example.com", "correct horse battery staple", "203.0.113.99")).toMatchObject({ ok: true });
  });

  it("a status-API flood from one device gets 429 with Retry-After while another device keeps getting 200", async () => {
    const [org] = [await insertOrg(t.db, (await t.db.insert(users).values({ email: "o@example.com", name: "O", passwordHash: "!" }).returning())[0].id, "flood")];
    const noisy = await makeDevice(t.db, org.id, "noisy");
    const quiet = await makeDevice(t.db, org.id, "quiet");
    const send = async (d: typeof noisy) => {
      const res = await statusRoute(
        new Request(`http://localhost/api/v1/devices/${d.device.udid}/status`, {
          method: "POST",
          headers: { authorization: `Bearer ${d.token}`, "content-type": "application/json" },
          body: "{}",
        }),
        { params: Promise.resolve({ udid: d.device.udid }) },
      );
      return { status: res.status, retryAfter: res.headers.get("retry-after"), body: (await res.json()) as { error?: { code: string; message: string } } };
    };
    const noisyReplies = [];
    const quietReplies = [];
    for (let i = 0; i < 300; i++) {
      noisyReplies.push(await send(noisy));
      if (i % 15 === 0) quietReplies.push(await send(quiet));
    }
    const limited = noisyReplies.filter((r) => r.status === 429);
    expect(noisyReplies.every((r) => r.status === 200 || r.status === 429)).toBe(true);
    expect(noisyReplies.slice(0, 20).every((r) => r.status === 200)).toBe(true); // the burst
    expect(limited.length).toBeGreaterThan(100);
    for (const r of limited) {
      expect(Number(r.retryAfter)).toBeGreaterThanOrEqual(1);
      expect(r.body.error?.code).toBe("rate_limited");
    }
    expect(quietReplies).toHaveLength(20);
    expect(quietReplies.every((r) => r.status === 200)).toBe(true);
    // refused requests wrote nothing: one contact per accepted request (last_seen_at moves; no events after the first)
    expect(await count(t.db, "select count(*) from events where type = 'device.registered'")).toBe(2);
    console.log(`[reliability] flood: ${noisyReplies.length - limited.length} accepted, ${limited.length} × 429 for the noisy device; quiet device 20/20 × 200`);
  });

  it("the cron route refuses a missing or wrong secret and compares it in constant time", async () => {
    process.env.CRON_SECRET = "cron-secret-for-the-reliability-suite";
    const spy = vi.mocked(crypto.timingSafeEqual);
    const call = async (authorization?: string) => {
      spy.mockClear();
      const res = await cronRoute(new NextRequest("https://signalpost.example/api/cron/deliver", { headers: authorization ? { authorization } : {} }));
      const lengths = spy.mock.calls.map(([a, b]) => [(a as Buffer).length, (b as Buffer).length]);
      return { status: res.status, body: (await res.json()) as Record<string, unknown>, lengths };
    };
    const missing = await call();
    expect(missing.status).toBe(401);
    expect(missing.body).toMatchObject({ error: { code: "unauthenticated" } });
    for (const wrong of ["Bearer x", "Bearer cron-secret-for-the-reliability-suitX", "Bearer cron-secret-for-the-reliability-suite-and-more", "Basic cron-secret-for-the-reliability-suite", `Bearer ${"a".repeat(5000)}`]) {
      const r = await call(wrong);
      expect(r.status, wrong.slice(0, 60)).toBe(401);
      // whatever the length given, the comparison ran over two equal-length (SHA-256) digests
      if (wrong.startsWith("Bearer")) expect(r.lengths).toEqual([[32, 32]]);
    }
    const ok = await call("Bearer cron-secret-for-the-reliability-suite");
    expect(ok.status).toBe(200);
    expect(ok.lengths).toEqual([[32, 32]]);
    expect(ok.body).toMatchObject({ ok: true, claimed: expect.any(Number), devicesMarkedOffline: expect.any(Number) });
  });
});
