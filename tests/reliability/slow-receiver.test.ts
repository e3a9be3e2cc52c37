// Issue #22 item 11: one slow receiver never delays another webhook's deliveries. Webhook H (all devices) → a
// receiver answering at once; webhook S (devices tagged t-slow) → a receiver holding each request 13 s (past the
// 10 s timeout). Once S's request is in flight and the kicked pass that sent it is past its budget, status changes
// of an untagged device, 100 ms apart through the device API, reach H's receiver within milliseconds.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as postStatus } from "@/app/api/v1/devices/[udid]/status/route";
import { orgs, webhooks } from "@/db/schema";
import { pendingKick } from "@/lib/delivery/kick";
import { closeSendPools } from "@/lib/delivery/send";
import { resetDeviceRateLimits } from "@/lib/devices/api";
import { createSecret } from "@/lib/webhooks/secrets";
import { callDeviceRoute, makeDevice } from "../devices/helpers";
import { behaviours, startReceiver, type Receiver } from "../support/receiver";
import { useReliabilityDatabase } from "./support/db";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const STATUS_EVENTS = ["device.status.online", "device.status.offline", "device.state.utilizing", "device.state.unplugged"];

describe("a slow receiver and a healthy one", () => {
  const t = useReliabilityDatabase();
  let fast: Receiver;
  let slow: Receiver;
  beforeAll(async () => {
    fast = await startReceiver(behaviours.ok());
    slow = await startReceiver(behaviours.slow(13_000));
  });
  afterAll(async () => {
    await pendingKick();
    await closeSendPools();
    await fast.close();
    await slow.close();
  });

  it("the healthy webhook's deliveries stay in milliseconds while the slow one's request hangs", async () => {
    const db = t.db;
    resetDeviceRateLimits();
    const [org] = await db.insert(orgs).values({ slug: "slow-fast", name: "slow-fast" }).returning();
    const [h] = await db.insert(webhooks).values({ orgId: org.id, name: "H", url: `${fast.url}/h`, events: STATUS_EVENTS }).returning();
    const [s] = await db
      .insert(webhooks)
      .values({ orgId: org.id, name: "S", url: `${slow.url}/s`, events: STATUS_EVENTS, deviceScope: "tags", deviceTags: ["t-slow"] })
      .returning();
    await createSecret(db, org.id, h.id);
    await createSecret(db, org.id, s.id);
    const tagged = await makeDevice(db, org.id, "slow-device", { tags: "t-slow" });
    const plain = await makeDevice(db, org.id, "plain-device");
    // first contact of the plain device now, so the changes below are status changes only
    expect((await callDeviceRoute(postStatus, plain.device.udid, { token: plain.token, body: { status: "online" } })).status).toBe(200);
    await fast.waitForRequests(1, 5_000);

    expect((await callDeviceRoute(postStatus, tagged.device.udid, { token: tagged.token, body: { status: "utilizing" } })).status).toBe(200);
    await slow.waitForRequests(1, 5_000); // S's request is in flight (held 13 s; the timeout ends it at 10 s)
    await sleep(5_500); // the kicked pass that sent it is past its 5 s budget now, waiting for that send
    fast.clear();

    const sentAt = new Map<string, number>();
    for (let i = 0; i < 10; i++) {
      const before = Date.now();
      const res = await callDeviceRoute(postStatus, plain.device.udid, {
        token: plain.token,
        body: { status: i % 2 === 0 ? "utilizing" : "unplugged" },
      });
      expect(res.status).toBe(200);
      const events = res.json.events as string[];
      expect(events).toHaveLength(1);
      sentAt.set(events[0], before);
      await sleep(100);
    }
    const got = await fast.waitForRequests(10, 5_000);
    const latencies = got.map((r) => r.receivedAt.getTime() - sentAt.get(r.headers["webhook-id"])!);
    expect(latencies.every((ms) => Number.isFinite(ms))).toBe(true);
    // milliseconds, not "released together when S's attempt times out" (3.5–4.5 s before the fix)
    expect(Math.max(...latencies)).toBeLessThan(300);
    expect(slow.requests).toHaveLength(1);
  }, 60_000);
});
