import { eq } from "drizzle-orm";
import { POST as postStatus } from "@/app/api/v1/devices/[udid]/status/route";
import { events } from "@/db/schema";
import { recordDeviceContact } from "@/lib/devices/contact";
import { hashDeviceToken } from "@/lib/devices/tokens";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { webhooks } from "@/db/schema";
import { processOutbox } from "@/lib/delivery/pass";
import { kickDelivery, kickLease, kickLeased, pendingKick } from "@/lib/delivery/kick";
import { rotateSecret } from "@/lib/webhooks/secrets";
import { bumpedUpdatedAt } from "@/lib/webhooks/settings";
import { signPayload } from "@/lib/webhooks/signing";
import { useTestDatabase } from "../support/db";
import { behaviours } from "../support/receiver";
import { useTestReceiver } from "../support/test-receiver";
import { callDeviceRoute, makeDevice } from "../devices/helpers";
import { emitOffline, insertWebhook, outboxRows, seedDeliveryOrg } from "./helpers";

const db = useTestDatabase();
const receiver = useTestReceiver();

describe("kickDelivery(outboxIds)", () => {
  it("claims and sends exactly the rows it is handed, by id, and leaves the others for the loop", async () => {
    const { org, device } = await seedDeliveryOrg(db());
    await insertWebhook(db(), org.id, receiver.url);
    const { outboxIds, events } = await emitOffline(db(), org, device, new Date(), 3);
    expect(outboxIds).toHaveLength(3);
    kickDelivery([outboxIds[1]]);
    await pendingKick();
    expect(receiver.requests.map((r) => r.headers["webhook-id"])).toEqual([events[1].id]);
    const rows = await outboxRows(db());
    expect(rows.map((r) => [r.status, r.attempts])).toEqual([
      ["pending", 0],
      ["succeeded", 1],
      ["pending", 0],
    ]);
  });

  it("skips a handed-over row that another worker already sent", async () => {
    const { org, device } = await seedDeliveryOrg(db());
    await insertWebhook(db(), org.id, receiver.url);
    const { outboxIds } = await emitOffline(db(), org, device, new Date(), 1);
    expect(await processOutbox()).toMatchObject({ succeeded: 1 });
    kickDelivery(outboxIds);
    await pendingKick();
    expect(receiver.requests).toHaveLength(1);
    expect((await outboxRows(db()))[0]).toMatchObject({ status: "succeeded", attempts: 1 });
  });
});

describe("what a kick keeps alive", () => {
  it("a kick settles once its own rows are sent and recorded, while the kicked pass goes on with others", async () => {
    const { org, device } = await seedDeliveryOrg(db());
    receiver.respondWith((req) => (req.path === "/slow" ? behaviours.slow(1_500) : behaviours.ok()));
    const slow = await insertWebhook(db(), org.id, `${receiver.url}/slow`);
    const fast = await insertWebhook(db(), org.id, `${receiver.url}/fast`);
    await emitOffline(db(), org, device);
    const [slowRow] = await outboxRows(db(), slow.hook.id);
    const [fastRow] = await outboxRows(db(), fast.hook.id);

    const slowKick = kickDelivery([slowRow.id]);
    const fastKick = kickDelivery([fastRow.id]);
    let slowSettled = false;
    void slowKick.then(() => (slowSettled = true));
    await fastKick;
    // settled after its own outcome was written, while the pass still waits for the slow receiver
    expect((await outboxRows(db(), fast.hook.id))[0]).toMatchObject({ status: "succeeded", attempts: 1 });
    expect(slowSettled).toBe(false);
    expect(pendingKick()).not.toBeNull();
    await slowKick;
    expect((await outboxRows(db(), slow.hook.id))[0]).toMatchObject({ status: "succeeded", attempts: 1 });
    await pendingKick();
  });

  it("a kick whose rows the pass cannot take (already sent) settles too", async () => {
    const { org, device } = await seedDeliveryOrg(db());
    await insertWebhook(db(), org.id, receiver.url);
    const { outboxIds } = await emitOffline(db(), org, device);
    expect(await processOutbox()).toMatchObject({ succeeded: 1 });
    await kickDelivery(outboxIds);
    expect(receiver.requests).toHaveLength(1);
    await pendingKick();
  });
});

describe("rows queued leased by the device API (no claim statement)", () => {
  async function leasedContact(now = new Date()) {
    const { org } = await seedDeliveryOrg(db());
    const { device, token } = await makeDevice(db(), org.id, "leased-1");
    const { secret } = await insertWebhook(db(), org.id, receiver.url);
    const leaseUntil = kickLease(now)!;
    const result = await recordDeviceContact(db(), {
      udid: device.udid,
      tokenHash: hashDeviceToken(token),
      report: { status: "online" },
      now,
      leaseUntil,
    });
    return { result: result!, leaseUntil, secret };
  }

  it("are born claimed (attempts 1, due when the lease ends), so no other pass sends them meanwhile", async () => {
    const now = new Date();
    const { result, leaseUntil } = await leasedContact(now);
    expect(leaseUntil.getTime()).toBeGreaterThan(now.getTime() + 40_000);
    expect(result.leased.map((r) => [r.id, r.attempts, r.event?.type])).toEqual([[result.outboxIds[0], 1, "device.status.online"]]);
    const [row] = await outboxRows(db());
    expect(row).toMatchObject({ status: "pending", attempts: 1 });
    expect(row.nextAttemptAt.getTime()).toBe(leaseUntil.getTime());
    expect(row.lockedUntil?.getTime()).toBe(leaseUntil.getTime());
    expect(await processOutbox({ now })).toMatchObject({ claimed: 0 });
    expect(receiver.requests).toHaveLength(0);
  });

  it("kickLeased sends them as stored, signed, and records the outcome on the same attempt", async () => {
    const { result, leaseUntil, secret } = await leasedContact();
    kickLeased(result.leased, leaseUntil);
    await pendingKick();
    expect(receiver.requests).toHaveLength(1);
    const req = receiver.requests[0];
    const body = new Webhook(secret).verify(req.body, req.headers as Record<string, string>) as { eventId: string; data: unknown };
    const [stored] = await db().select().from(events).where(eq(events.id, result.leased[0].eventId));
    expect(body.eventId).toBe(stored.id);
    expect(JSON.stringify(body.data)).toBe(JSON.stringify(stored.payload)); // the stored (jsonb) key order
    expect((await outboxRows(db()))[0]).toMatchObject({ status: "succeeded", attempts: 1, lockedUntil: null });
  });

  it("a leased row whose process never sent it is sent by any worker once the lease has ended", async () => {
    const now = new Date();
    const { leaseUntil } = await leasedContact(now);
    expect(await processOutbox({ now: new Date(leaseUntil.getTime() + 1000) })).toMatchObject({ succeeded: 1 });
    expect((await outboxRows(db()))[0]).toMatchObject({ status: "succeeded", attempts: 2 });
  });

  it("a fed row with too little of its lease left is not sent by the kick (it would outlive the lease)", async () => {
    const { result } = await leasedContact();
    kickLeased(result.leased, new Date(Date.now() + 5_000));
    await pendingKick();
    expect(receiver.requests).toHaveLength(0);
    expect((await outboxRows(db()))[0]).toMatchObject({ status: "pending", attempts: 1 });
  });

  it("the status route queues its rows leased and its kick delivers them", async () => {
    const { org } = await seedDeliveryOrg(db());
    const { device, token } = await makeDevice(db(), org.id, "leased-2");
    await insertWebhook(db(), org.id, receiver.url);
    const res = await callDeviceRoute(postStatus, device.udid, { token, body: { status: "online" } });
    expect(res.status).toBe(200);
    await pendingKick();
    // a first contact registers the device too; the webhook subscribes to the status event only
    expect(receiver.requests).toHaveLength(1);
    expect(res.json.events).toContain(receiver.requests[0].headers["webhook-id"]);
    expect((await outboxRows(db()))[0]).toMatchObject({ status: "succeeded", attempts: 1 });
  });
});

describe("cached webhook settings and secrets", () => {
  it("the next delivery after a secret rotation is signed with the new secret only (no transition period)", async () => {
    const { org, device } = await seedDeliveryOrg(db());
    const { hook, secret: old } = await insertWebhook(db(), org.id, receiver.url);
    await emitOffline(db(), org, device);
    await processOutbox(); // caches the webhook's settings and secret in this process
    const { secret: fresh } = await rotateSecret(db(), { orgId: org.id, webhookId: hook.id, transitionSeconds: 0 });
    await emitOffline(db(), org, device);
    expect(await processOutbox()).toMatchObject({ succeeded: 1 });
    const req = receiver.requests[1];
    expect(() => new Webhook(fresh).verify(req.body, req.headers as Record<string, string>)).not.toThrow();
    expect(() => new Webhook(old).verify(req.body, req.headers as Record<string, string>)).toThrow();
  });

  it("a rotated-out secret stops signing when its transition ends, even while cached", async () => {
    const { org, device } = await seedDeliveryOrg(db());
    const { hook, secret: old } = await insertWebhook(db(), org.id, receiver.url);
    const t0 = new Date();
    const { secret: fresh } = await rotateSecret(db(), { orgId: org.id, webhookId: hook.id, transitionSeconds: 60, now: t0 });
    await emitOffline(db(), org, device, t0);
    await processOutbox({ now: t0 });
    expect(receiver.requests[0].headers["webhook-signature"].split(" ")).toHaveLength(2);
    const later = new Date(t0.getTime() + 61_000);
    await emitOffline(db(), org, device, later);
    await processOutbox({ now: later });
    // the test clock is a minute ahead, so compare with the expected signatures rather than verify() (tolerance)
    const req = receiver.requests[1];
    const ts = Number(req.headers["webhook-timestamp"]);
    const expected = (secret: string) => signPayload(secret, req.headers["webhook-id"], ts, req.body);
    expect(req.headers["webhook-signature"]).toBe(expected(fresh));
    expect(req.headers["webhook-signature"]).not.toContain(expected(old));
  });

  it("a saved webhook (new updated_at) is read again: the next delivery goes to its new URL", async () => {
    const { org, device } = await seedDeliveryOrg(db());
    const { hook } = await insertWebhook(db(), org.id, `${receiver.url}/before`);
    await emitOffline(db(), org, device);
    await processOutbox();
    await db()
      .update(webhooks)
      .set({ url: `${receiver.url}/after`, updatedAt: bumpedUpdatedAt(new Date()) })
      .where(eq(webhooks.id, hook.id));
    await emitOffline(db(), org, device);
    await processOutbox();
    expect(receiver.requests.map((r) => r.path)).toEqual(["/before", "/after"]);
  });
});
