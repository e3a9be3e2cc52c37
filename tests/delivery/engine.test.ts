import { eq } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { auditLog, deliveryAttempts, outbox, webhooks } from "@/db/schema";
import { processOutbox } from "@/lib/webhooks/delivery";
import { closeSendPools } from "@/lib/webhooks/send";
import { useTestDatabase } from "../support/db";
import { behaviours, startReceiver, type Receiver } from "../support/receiver";
import { emitOffline, insertWebhook, outboxRows, seconds, seedDeliveryOrg } from "./helpers";

const db = useTestDatabase();
let receiver: Receiver;
const noJitter = () => 0.5;

beforeAll(async () => {
  receiver = await startReceiver();
});
beforeEach(() => {
  receiver.clear();
  receiver.respondWith(behaviours.ok());
  delete process.env.WEBHOOK_RETRY_SCHEDULE;
  delete process.env.WEBHOOK_TIMEOUT_MS;
  delete process.env.WEBHOOK_DISABLE_AFTER_FAILURES;
  delete process.env.WEBHOOK_DISABLE_AFTER_HOURS;
});
afterAll(async () => {
  await closeSendPools();
  await receiver.close();
});

const run = (now: Date) => processOutbox({ now, budgetMs: 5_000, random: noJitter });

describe("processOutbox", () => {
  it("delivers a status change signed so that standardwebhooks verifies it, body as DESIGN §6", async () => {
    const { org, device } = await seedDeliveryOrg(db());
    const { hook, secret } = await insertWebhook(db(), org.id, `${receiver.url}/hooks/in`, { name: "Webhook for All events" });
    const t0 = new Date();
    const { events } = await emitOffline(db(), org, device, t0);

    const result = await run(seconds(t0, 0.2));
    expect(result).toMatchObject({ claimed: 1, succeeded: 1, failed: 0 });

    const [req] = receiver.requests;
    expect(req.method).toBe("POST");
    expect(req.path).toBe("/hooks/in");
    expect(req.headers["content-type"]).toMatch(/^application\/json/);
    expect(req.headers["user-agent"]).toMatch(/^Signalpost-Webhooks\//);
    expect(req.headers["webhook-id"]).toBe(events[0].id);
    expect(req.headers["webhook-timestamp"]).toBe(String(Math.floor(seconds(t0, 0.2).getTime() / 1000)));
    // the receiver verifies with the public library, as is
    expect(new Webhook(secret).verify(req.body, req.headers)).toBeTruthy();
    expect(JSON.parse(req.body)).toEqual({
      eventId: events[0].id,
      creationTime: t0.toISOString(),
      eventType: "DEVICE",
      eventActivity: "device.status.offline",
      eventDescription: "Offline",
      deviceUdid: "ce0917198075440c057e",
      deviceName: "Galaxy Note 8",
      orgId: org.id,
      webhookId: hook.id,
      webhookName: "Webhook for All events",
      data: { previousStatus: "online", status: "offline", reason: "timeout" },
    });

    const [row] = await outboxRows(db());
    expect(row).toMatchObject({ status: "succeeded", attempts: 1, lastStatusCode: 200, lockedUntil: null });
    const attempts = await db().select().from(deliveryAttempts);
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({ responseStatus: 200, responseBody: "ok", error: null, outboxId: row.id });
  });
});
