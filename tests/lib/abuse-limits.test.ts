import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { POST as postStatus } from "@/app/api/v1/devices/[udid]/status/route";
import { devices, inboxRequests, orgs } from "@/db/schema";
import { resetDeviceRateLimits } from "@/lib/devices/api";
import { resetInboxRateLimits } from "@/lib/inbox/handler";
import { TokenBucket } from "@/lib/rate-limit";
import { callDeviceRoute, makeDevice } from "../devices/helpers";
import { insertInbox, sendToInbox } from "../inbox/helpers";
import { useTestDatabase } from "../support/db";

const db = useTestDatabase();
const saved = { inbox: process.env.INBOX_CAPTURES_PER_MINUTE, device: process.env.DEVICE_AUTH_FAILURES_PER_MINUTE };

beforeEach(() => {
  resetDeviceRateLimits();
  resetInboxRateLimits();
});
afterEach(() => {
  for (const [k, v] of [["INBOX_CAPTURES_PER_MINUTE", saved.inbox], ["DEVICE_AUTH_FAILURES_PER_MINUTE", saved.device]] as const) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  resetDeviceRateLimits();
  resetInboxRateLimits();
});

describe("TokenBucket", () => {
  it("evicts the least recently used bucket when full, so a flood of new keys does not refill a limited one", () => {
    const t = 1_000_000;
    const fresh = new TokenBucket(0.001, 2, 3);
    fresh.take("attacker", t);
    fresh.take("attacker", t);
    fresh.take("b", t + 1);
    fresh.take("c", t + 2);
    fresh.take("attacker", t + 3);
    fresh.take("d", t + 4); // evicts "b", the least recently used, not everything
    expect(fresh.take("attacker", t + 5)).toBeGreaterThan(0); // still limited (clearing all would have refilled it)
    expect(fresh.peek("b", t + 5)).toBe(0);
    expect(fresh.size).toBe(3);
    // a flood of new keys never grows the map past maxKeys
    for (let i = 0; i < 50; i++) fresh.take(`new-${i}`, t + 10 + i);
    expect(fresh.size).toBe(3);
  });
});

describe("failed device tokens per address", () => {
  it("answers 429 to an address after DEVICE_AUTH_FAILURES_PER_MINUTE failures, even with a right token; other addresses go on", async () => {
    process.env.DEVICE_AUTH_FAILURES_PER_MINUTE = "5";
    const [org] = await db().insert(orgs).values({ slug: "acme", name: "Acme" }).returning();
    const { device, token } = await makeDevice(db(), org.id, "dev-1");
    const attacker = { "x-forwarded-for": "203.0.113.66" };
    for (let i = 0; i < 5; i++) {
      const res = await callDeviceRoute(postStatus, "dev-1", { token: `spd_${"B".repeat(39)}${i}`, body: {}, headers: attacker });
      expect(res.status).toBe(401);
    }
    const limited = await callDeviceRoute(postStatus, "dev-1", { token, body: { status: "online" }, headers: attacker });
    expect(limited.status).toBe(429);
    expect(limited.json.error?.code).toBe("rate_limited");
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await db().select().from(devices).where(eq(devices.id, device.id)))[0].lastSeenAt).toBeNull();
    // the device itself, from its own address, is not locked out
    const ok = await callDeviceRoute(postStatus, "dev-1", { token, body: {}, headers: { "x-forwarded-for": "198.51.100.10" } });
    expect(ok.status).toBe(200);
    // successful requests do not count as failures
    for (let i = 0; i < 10; i++) {
      expect((await callDeviceRoute(postStatus, "dev-1", { token, body: {}, headers: { "x-forwarded-for": "198.51.100.11" } })).status).toBe(200);
    }
  });
});

describe("inbox captures per address", () => {
  it("answers 429 and stores nothing past INBOX_CAPTURES_PER_MINUTE from one address; other addresses are stored", async () => {
    process.env.INBOX_CAPTURES_PER_MINUTE = "5";
    const [org] = await db().insert(orgs).values({ slug: "acme", name: "Acme" }).returning();
    const inbox = await insertInbox(db(), org.id);
    const flood = { "x-forwarded-for": "203.0.113.77", "content-type": "text/plain" };
    for (let i = 0; i < 5; i++) expect((await sendToInbox(inbox.token, { body: `n${i}`, headers: flood })).status).toBe(200);
    const refused = await sendToInbox(inbox.token, { body: "one too many", headers: flood });
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBeTruthy();
    expect((await refused.json()).error.code).toBe("rate_limited");
    expect(await db().select().from(inboxRequests).where(eq(inboxRequests.inboxId, inbox.id))).toHaveLength(5);
    expect((await sendToInbox(inbox.token, { body: "other", headers: { "x-forwarded-for": "198.51.100.9" } })).status).toBe(200);
    expect(await db().select().from(inboxRequests).where(eq(inboxRequests.inboxId, inbox.id))).toHaveLength(6);
  });
});
