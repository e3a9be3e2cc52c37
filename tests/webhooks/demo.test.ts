import { describe, expect, it } from "vitest";
import { webhooks } from "@/db/schema";
import { seedDemoWebhook } from "@/lib/demo/webhooks";
import { SUBSCRIBABLE_EVENT_TYPES } from "@/lib/events/catalog";
import { getSigningSecrets } from "@/lib/webhooks/secrets";
import { useTestDatabase } from "../support/db";
import { insertOrg, insertUser } from "../support/fixtures";

const db = useTestDatabase();

describe("seedDemoWebhook", () => {
  it("creates an enabled 'Demo webhook' on every device event with a signing secret", async () => {
    const user = await insertUser(db());
    const org = await insertOrg(db(), user.id);
    const id = await seedDemoWebhook(db(), org.id, "http://localhost:3000/api/inbox/abc");
    const [row] = await db().select().from(webhooks);
    expect(row).toMatchObject({ id, orgId: org.id, name: "Demo webhook", url: "http://localhost:3000/api/inbox/abc", enabled: true });
    expect([...row.events].sort()).toEqual([...SUBSCRIBABLE_EVENT_TYPES].sort());
    expect((await getSigningSecrets(db(), [id], new Date())).get(id)?.[0]).toMatch(/^whsec_/);
  });
});
