// Issue #22 item 7: re-enabling a webhook resumes only its parked rows, and does nothing when it is already enabled,
// so a row a worker is sending right now is never handed to a second worker (delivered twice).
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { auditLog, outbox, webhooks } from "@/db/schema";
import { processOutbox } from "@/lib/delivery/pass";
import { closeSendPools } from "@/lib/delivery/send";
import { setWebhookEnabled } from "@/lib/webhooks/manage";
import { useTestDatabase } from "../support/db";
import { insertUser } from "../support/fixtures";
import { behaviours, startReceiver, type Receiver } from "../support/receiver";
import { emitOffline, insertWebhook, seedDeliveryOrg } from "./helpers";

const db = useTestDatabase();
let receiver: Receiver;

beforeAll(async () => {
  receiver = await startReceiver();
});
beforeEach(() => {
  receiver.clear();
  receiver.respondWith(behaviours.slow(600));
});
afterAll(async () => {
  await closeSendPools();
  await receiver.close();
});

async function inFlight() {
  const { org, device } = await seedDeliveryOrg(db());
  const user = await insertUser(db());
  const { hook } = await insertWebhook(db(), org.id, `${receiver.url}/h`);
  await emitOffline(db(), org, device, new Date());
  const first = processOutbox({ budgetMs: 2_000 });
  await receiver.waitForRequests(1, 5_000); // the send is in flight now (the receiver holds it 600 ms)
  return { org, hook, actor: { orgId: org.id, userId: user.id }, first };
}

describe("setWebhookEnabled with a send in flight", () => {
  it("Enable on an enabled webhook changes nothing: the in-flight row keeps its lease and is delivered once", async () => {
    const { hook, actor, first } = await inFlight();
    const [before] = await db().select().from(outbox);
    await setWebhookEnabled(db(), actor, hook.id, true);
    const [after] = await db().select().from(outbox);
    expect(after.nextAttemptAt).toEqual(before.nextAttemptAt);
    expect(after.lockedUntil).toEqual(before.lockedUntil);
    // a second worker runs while the first is still sending
    const second = await processOutbox({ budgetMs: 500 });
    expect(second.claimed).toBe(0);
    expect((await first).succeeded).toBe(1);
    await new Promise((r) => setTimeout(r, 700));
    expect(receiver.requests).toHaveLength(1);
    expect(await db().select().from(auditLog)).toHaveLength(0); // nothing happened, nothing audited
    const [w] = await db().select().from(webhooks).where(eq(webhooks.id, hook.id));
    expect(w.updatedAt.getTime()).toBe(hook.updatedAt.getTime()); // the settings cache is not invalidated either
  });

  it("Disable then Enable during the send resumes nothing the worker holds: delivered once", async () => {
    const { hook, actor, first } = await inFlight();
    await setWebhookEnabled(db(), actor, hook.id, false);
    await setWebhookEnabled(db(), actor, hook.id, true);
    const second = await processOutbox({ budgetMs: 500 });
    expect(second.claimed).toBe(0);
    await first;
    await new Promise((r) => setTimeout(r, 700));
    expect(receiver.requests).toHaveLength(1);
    const [row] = await db().select().from(outbox);
    expect(row.status).toBe("succeeded");
    expect((await db().select().from(auditLog)).map((a) => a.action)).toEqual(["webhook.disabled", "webhook.enabled"]);
  });
});
