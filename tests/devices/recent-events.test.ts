// The device page's Recent events: each event with how many deliveries it made, scoped to the org (issue #23).
import { describe, expect, it } from "vitest";
import { recentDeviceEvents } from "@/lib/devices/queries";
import { emitOffline, insertWebhook, seedDeliveryOrg } from "../delivery/helpers";
import { useTestDatabase } from "../support/db";

const db = useTestDatabase();

describe("recentDeviceEvents", () => {
  it("counts each event's deliveries (one per subscribed webhook), and a second org sees none of them", async () => {
    const a = await seedDeliveryOrg(db(), "org-a");
    const b = await seedDeliveryOrg(db(), "org-b");
    await insertWebhook(db(), a.org.id, "https://a1.example.test/hook");
    await insertWebhook(db(), a.org.id, "https://a2.example.test/hook");
    await emitOffline(db(), a.org, a.device);
    const events = await recentDeviceEvents(db(), a.org.id, a.device.id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: "device.status.offline", deliveryCount: 2 });

    // no webhook in org B: its event has no deliveries; org A's device id asked for from org B returns nothing
    await emitOffline(db(), b.org, b.device);
    expect((await recentDeviceEvents(db(), b.org.id, b.device.id))[0].deliveryCount).toBe(0);
    expect(await recentDeviceEvents(db(), b.org.id, a.device.id)).toEqual([]);
  });
});
