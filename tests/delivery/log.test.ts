import { eq } from "drizzle-orm";
import { NextRequest } from "next/server";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { GET as getDetail } from "@/app/api/orgs/[slug]/deliveries/[id]/route";
import { GET as listRoute } from "@/app/api/orgs/[slug]/deliveries/route";
import { auditLog, devices, outbox } from "@/db/schema";
import { redeliverAction, replayFailedAction } from "@/lib/actions/deliveries";
import { processOutbox } from "@/lib/delivery/pass";
import { deliveryHealth, getDelivery, listDeliveries } from "@/lib/delivery/log";
import { pendingKick } from "@/lib/delivery/kick";
import { useTestDatabase } from "../support/db";
import { twoOrgs } from "../support/fixtures";
import { behaviours } from "../support/receiver";
import { useTestReceiver } from "../support/test-receiver";
import { actAs } from "../support/session";
import { emitOffline, insertWebhook, outboxRows } from "./helpers";

const db = useTestDatabase();
const receiver = useTestReceiver();
beforeEach(() => {
  process.env.WEBHOOK_RETRY_SCHEDULE = "0";
});
afterAll(() => {
  delete process.env.WEBHOOK_RETRY_SCHEDULE;
});

/** Org A with a webhook whose deliveries failed (receiver answered 500 twice), and org B with its own delivery. */
async function setup() {
  const cast = await twoOrgs(db());
  const [device] = await db()
    .insert(devices)
    .values({ orgId: cast.orgA.id, udid: "udid-a", name: "Pixel A", tags: [] })
    .returning();
  const [deviceB] = await db()
    .insert(devices)
    .values({ orgId: cast.orgB.id, udid: "udid-b", name: "Pixel B", tags: [] })
    .returning();
  const { hook } = await insertWebhook(db(), cast.orgA.id, `${receiver.url}/a`, {
    name: "A hook",
    headers: [],
    authType: "none",
  });
  const { hook: hookB } = await insertWebhook(db(), cast.orgB.id, `${receiver.url}/b`, { name: "B hook" });
  receiver.respondWith(behaviours.error());
  const t0 = new Date();
  await emitOffline(db(), cast.orgA, device, t0, 2);
  await emitOffline(db(), cast.orgB, deviceB, t0, 1);
  await processOutbox({ now: t0 });
  await processOutbox({ now: new Date(t0.getTime() + 1) });
  receiver.respondWith(behaviours.ok());
  receiver.clear();
  return { ...cast, device, hook, hookB, t0 };
}

const form = (values: Record<string, string>) => {
  const fd = new FormData();
  for (const [k, v] of Object.entries(values)) fd.set(k, v);
  return fd;
};

describe("delivery log", () => {
  it("lists an org's deliveries with filters, and shows each one's attempts", async () => {
    const { orgA, hook } = await setup();
    const page = await listDeliveries(db(), orgA.id, {});
    expect(page.items).toHaveLength(2);
    expect(page.items[0]).toMatchObject({
      status: "failed",
      attempts: 2,
      lastStatusCode: 500,
      lastError: "receiver answered HTTP 500 (Internal Server Error)",
      webhookName: "A hook",
      deviceUdid: "udid-a",
      eventType: "device.status.offline",
    });
    expect((await listDeliveries(db(), orgA.id, { status: "succeeded" })).items).toHaveLength(0);
    expect((await listDeliveries(db(), orgA.id, { device: "udid-b" })).items).toHaveLength(0);
    expect((await listDeliveries(db(), orgA.id, { eventType: "device.status.online" })).items).toHaveLength(0);
    expect((await listDeliveries(db(), orgA.id, { webhookId: hook.id, limit: 1 })).nextCursor).not.toBeNull();

    const detail = await getDelivery(db(), orgA.id, page.items[0].id);
    expect(detail!.attemptList).toHaveLength(2);
    expect(detail!.attemptList[0]).toMatchObject({ requestMethod: "POST", responseStatus: 500, responseBody: "internal error" });
    expect(detail!.attemptList[0].requestHeaders["webhook-signature"]).toMatch(/^v1,/);
  });

  it("never shows another org's deliveries (route handlers, queries)", async () => {
    const { orgA, orgB, ownerB, memberA } = await setup();
    const [bRow] = await db().select().from(outbox).where(eq(outbox.orgId, orgB.id));
    expect(await getDelivery(db(), orgA.id, bRow.id)).toBeNull();

    actAs(ownerB.id);
    const res = await listRoute(new NextRequest("http://x/api/orgs/org-a/deliveries"), { params: Promise.resolve({ slug: "org-a" }) });
    expect(res.status).toBe(404);
    actAs(memberA.id);
    const own = await listRoute(new NextRequest("http://x/api/orgs/org-a/deliveries?status=failed"), {
      params: Promise.resolve({ slug: "org-a" }),
    });
    expect(own.status).toBe(200);
    expect((await own.json()).items).toHaveLength(2);
    const other = await getDetail(new NextRequest("http://x"), { params: Promise.resolve({ slug: "org-a", id: String(bRow.id) }) });
    expect(other.status).toBe(404);
    const bad = await listRoute(new NextRequest("http://x/api/orgs/org-a/deliveries?status=nope"), {
      params: Promise.resolve({ slug: "org-a" }),
    });
    expect(bad.status).toBe(400);
  });

  it("Redeliver sends a failed delivery again with the same webhook-id; members and other orgs cannot", async () => {
    const { orgA, orgB, ownerA, memberA, ownerB } = await setup();
    const [row] = (await outboxRows(db())).filter((r) => r.orgId === orgA.id);
    const [bRow] = (await outboxRows(db())).filter((r) => r.orgId === orgB.id);

    actAs(memberA.id);
    expect(await redeliverAction(null, form({ orgSlug: "org-a", deliveryId: String(row.id) }))).toMatchObject({ ok: false });
    actAs(ownerB.id);
    expect(await redeliverAction(null, form({ orgSlug: "org-b", deliveryId: String(row.id) }))).toMatchObject({
      ok: false,
      message: "Delivery not found.",
    });
    actAs(ownerA.id);
    expect(await redeliverAction(null, form({ orgSlug: "org-a", deliveryId: String(bRow.id) }))).toMatchObject({ ok: false });
    expect((await outboxRows(db())).find((r) => r.id === bRow.id)!.status).toBe("failed");

    const result = await redeliverAction(null, form({ orgSlug: "org-a", deliveryId: String(row.id) }));
    expect(result).toMatchObject({ ok: true });
    // the action kicked a delivery pass (outside a request scope it runs at once)
    await pendingKick();
    const after = (await outboxRows(db())).find((r) => r.id === row.id)!;
    expect(after).toMatchObject({ status: "succeeded", attempts: 1 });
    expect(receiver.requests).toHaveLength(1);
    expect(receiver.requests[0].headers["webhook-id"]).toBe(row.eventId);
    const detail = await getDelivery(db(), orgA.id, row.id);
    expect(detail!.attemptList).toHaveLength(3);
    const listed = (await listDeliveries(db(), orgA.id, {})).items.find((d) => d.id === row.id)!;
    expect(listed).toMatchObject({ status: "succeeded", attempts: 1, attemptCount: 3, lastStatusCode: 200 });
    const audit = await db().select().from(auditLog).where(eq(auditLog.action, "delivery.redelivered"));
    expect(audit).toHaveLength(1);
  });

  it("Replay failed deliveries since a time queues the org's failed ones", async () => {
    const { orgA, adminA, memberA, t0 } = await setup();
    actAs(memberA.id);
    expect(await replayFailedAction(null, form({ orgSlug: "org-a", since: "2000-01-01T00:00" }))).toMatchObject({ ok: false });
    actAs(adminA.id);
    expect(await replayFailedAction(null, form({ orgSlug: "org-a", since: "not a date" }))).toMatchObject({
      ok: false,
      errors: { since: ["Not a valid date and time"] },
    });
    // a time after the events: nothing to replay
    const later = new Date(t0.getTime() + 60_000).toISOString().slice(0, 16);
    expect(await replayFailedAction(null, form({ orgSlug: "org-a", since: later, tzOffset: "0" }))).toMatchObject({
      ok: true,
      message: "No failed deliveries since then.",
    });
    const earlier = new Date(t0.getTime() - 3_600_000).toISOString().slice(0, 16);
    const res = await replayFailedAction(null, form({ orgSlug: "org-a", since: earlier, tzOffset: "0" }));
    expect(res).toMatchObject({ ok: true, message: "Replaying 2 failed deliveries.", data: { count: 2 } });
    await pendingKick();
    const rows = (await outboxRows(db())).filter((r) => r.orgId === orgA.id);
    expect(rows.every((r) => r.status === "succeeded")).toBe(true);
    // org B's failed delivery is untouched
    expect((await outboxRows(db())).filter((r) => r.orgId !== orgA.id).map((r) => r.status)).toEqual(["failed"]);
  });

  it("reports 24 hourly health buckets of a webhook", async () => {
    const { orgA, hook } = await setup();
    const buckets = await deliveryHealth(db(), orgA.id, hook.id);
    expect(buckets).toHaveLength(24);
    expect(buckets.reduce((n, b) => n + b.failed, 0)).toBe(4);
    expect(buckets[23].failed).toBe(4);
  });
});
