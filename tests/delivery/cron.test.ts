import { NextRequest } from "next/server";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { GET } from "@/app/api/cron/deliver/route";
import { closeSendPools } from "@/lib/delivery/send";
import { useTestDatabase } from "../support/db";
import { startReceiver, type Receiver } from "../support/receiver";
import { emitOffline, insertWebhook, outboxRows, seedDeliveryOrg } from "./helpers";

const db = useTestDatabase();
let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(async () => {
  await closeSendPools();
  await receiver.close();
});
afterEach(() => {
  delete process.env.CRON_SECRET;
  (process.env as Record<string, string>).NODE_ENV = "test";
});

const call = (auth?: string, host = "app.example.com") =>
  GET(new NextRequest(`https://${host}/api/cron/deliver`, { headers: auth ? { authorization: auth } : {} }));

describe("GET /api/cron/deliver", () => {
  it("answers 401 without a secret or with a wrong one", async () => {
    process.env.CRON_SECRET = "s3cret-value";
    for (const auth of [undefined, "Bearer wrong", "Bearer s3cret-valu", "Basic s3cret-value", "s3cret-value"]) {
      const res = await call(auth);
      expect(res.status).toBe(401);
      expect((await res.json()).error.code).toBe("unauthenticated");
    }
  });

  it("runs a tick with the right secret and answers counts", async () => {
    process.env.CRON_SECRET = "s3cret-value";
    const { org, device } = await seedDeliveryOrg(db());
    await insertWebhook(db(), org.id, receiver.url);
    await emitOffline(db(), org, device, new Date(), 3);
    const res = await call("Bearer s3cret-value");
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ ok: true, claimed: 3, succeeded: 3, failed: 0, devicesMarkedOffline: 0 });
    expect(receiver.requests).toHaveLength(3);
    expect((await outboxRows(db())).every((r) => r.status === "succeeded")).toBe(true);
  });

  it("is closed in production when CRON_SECRET is unset, and localhost-only in development", async () => {
    (process.env as Record<string, string>).NODE_ENV = "production";
    expect((await call(undefined, "localhost")).status).toBe(401);
    (process.env as Record<string, string>).NODE_ENV = "development";
    expect((await call(undefined, "app.example.com")).status).toBe(401);
    expect((await call(undefined, "localhost")).status).toBe(200);
  });
});
