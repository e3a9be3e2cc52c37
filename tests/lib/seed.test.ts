import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { devices, inboxes, orgs, outbox, webhooks } from "@/db/schema";
import { checkCredentials } from "@/lib/auth/credentials";
import { DEMO_EMAIL, DEMO_PASSWORD, seedDemoData } from "@/lib/demo/seed";
import { useTestDatabase } from "../support/db";

const db = useTestDatabase();

describe("demo seed", () => {
  it("creates the demo org once, with a sign-in that works and a webhook delivering into the demo inbox", async () => {
    expect(await seedDemoData(db())).toBe(true);
    expect(await seedDemoData(db())).toBe(false);

    const signIn = await checkCredentials(DEMO_EMAIL, DEMO_PASSWORD);
    expect(signIn.ok).toBe(true);

    const [org] = await db().select().from(orgs).where(eq(orgs.slug, "demo"));
    expect(org.name).toBe("Demo");
    const [inbox] = await db().select().from(inboxes).where(eq(inboxes.orgId, org.id));
    const [hook] = await db().select().from(webhooks).where(eq(webhooks.orgId, org.id));
    expect(hook.url).toMatch(new RegExp(`/api/inbox/${inbox.token}$`));
    expect(hook.enabled).toBe(true);
    const demoDevices = await db().select().from(devices).where(eq(devices.orgId, org.id));
    expect(demoDevices.length).toBeGreaterThanOrEqual(3);
    // one device.created delivery per demo device is queued for the demo webhook, so the inbox fills at once
    const queued = await db().select().from(outbox).where(eq(outbox.webhookId, hook.id));
    expect(queued).toHaveLength(demoDevices.length);
    expect(queued.every((r) => r.status === "pending")).toBe(true);
  });
});
