import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { devices, inboxes, orgs, webhooks } from "@/db/schema";
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
    expect((await db().select().from(devices).where(eq(devices.orgId, org.id))).length).toBeGreaterThanOrEqual(3);
  });
});
