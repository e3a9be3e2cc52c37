import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { devices, events, orgs, outbox, webhooks } from "@/db/schema";
import { emitEvents } from "@/lib/delivery/emit";
import { useTestDatabase } from "../support/db";

const db = useTestDatabase();

async function seedOrg() {
  const [org] = await db().insert(orgs).values({ slug: "acme", name: "Acme" }).returning();
  const [device] = await db()
    .insert(devices)
    .values({ orgId: org.id, udid: "dev-1", name: "Pixel", tags: ["lab", "eu"] })
    .returning();
  const hook = (name: string, extra: Partial<typeof webhooks.$inferInsert> = {}) => ({
    orgId: org.id,
    name,
    url: "http://127.0.0.1:9/hook",
    events: ["device.status.online"],
    ...extra,
  });
  const rows = await db()
    .insert(webhooks)
    .values([
      hook("all"),
      hook("other-event", { events: ["device.status.offline"] }),
      hook("disabled", { enabled: false }),
      hook("selected-match", { deviceScope: "selected", deviceIds: [device.id] }),
      hook("selected-miss", { deviceScope: "selected", deviceIds: [device.id + 1000] }),
      hook("tags-match", { deviceScope: "tags", deviceTags: ["eu"] }),
      hook("tags-miss", { deviceScope: "tags", deviceTags: ["us"] }),
    ])
    .returning();
  return { org, device, hooks: rows };
}

describe("emitEvents", () => {
  it("writes the event and one outbox row per matching enabled webhook", async () => {
    const { org, device, hooks } = await seedOrg();
    const result = await db().transaction((tx) =>
      emitEvents(tx, org.id, [{ type: "device.status.online", device, data: { previousStatus: "offline", status: "online" } }]),
    );
    expect(result.events).toHaveLength(1);
    expect(result.events[0].id).toMatch(/^evt_[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(result.deliveries).toBe(3);
    const rows = await db().select().from(outbox).where(eq(outbox.eventId, result.events[0].id));
    const names = rows.map((r) => hooks.find((h) => h.id === r.webhookId)!.name).sort();
    expect(names).toEqual(["all", "selected-match", "tags-match"]);
    const [ev] = await db().select().from(events).where(eq(events.id, result.events[0].id));
    expect(ev).toMatchObject({ orgId: org.id, deviceUdid: "dev-1", deviceName: "Pixel", type: "device.status.online" });
    expect(ev.payload).toEqual({ previousStatus: "offline", status: "online" });
  });

  it("rolls back events and outbox rows with the transaction", async () => {
    const { org, device } = await seedOrg();
    await expect(
      db().transaction(async (tx) => {
        await emitEvents(tx, org.id, [{ type: "device.status.online", device, data: {} }]);
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(await db().select().from(events)).toHaveLength(0);
    expect(await db().select().from(outbox)).toHaveLength(0);
  });
});
