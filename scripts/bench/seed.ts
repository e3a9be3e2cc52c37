// The benchmark's data: a user, an org and its devices with tokens, webhooks with secrets, and the stream of
// status changes the load generators send.
import { deviceTokens, devices, memberships, orgs, users, webhooks, webhookSecrets } from "@/db/schema";
import type { Db } from "@/db/client";
import { hashPassword } from "@/lib/auth/password";
import { encryptSecret } from "@/lib/crypto/encryption";
import { generateDeviceToken } from "@/lib/devices/tokens";
import { newWebhookSecret } from "@/lib/webhooks/signing";
import { DEVICE_COUNT, PASSWORD } from "./config";
import type { LoadRequest } from "./load";

export async function seed(db: Db, deviceCount = DEVICE_COUNT) {
  const passwordHash = await hashPassword(PASSWORD);
  const [user] = await db.insert(users).values({ email: "bench@example.com", name: "Bench", passwordHash }).returning();
  const [org] = await db.insert(orgs).values({ slug: "bench", name: "Bench" }).returning();
  await db.insert(memberships).values({ orgId: org.id, userId: user.id, role: "owner" });
  const tokens: string[] = [];
  const udids: string[] = [];
  for (let start = 0; start < deviceCount; start += 500) {
    const batch = Array.from({ length: Math.min(500, deviceCount - start) }, (_, i) => ({
      orgId: org.id,
      udid: `bench-${String(start + i).padStart(5, "0")}`,
      name: `Bench device ${start + i}`,
      tags: ["bench"],
    }));
    const inserted = await db.insert(devices).values(batch).returning({ id: devices.id, udid: devices.udid });
    const toks = inserted.map(() => generateDeviceToken());
    await db.insert(deviceTokens).values(
      inserted.map((d, i) => ({ orgId: org.id, deviceId: d.id, tokenHash: toks[i].hash, prefix: toks[i].prefix })),
    );
    inserted.forEach((d, i) => {
      udids.push(d.udid);
      tokens.push(toks[i].token);
    });
  }
  return { user, org, udids, tokens };
}

export async function createWebhook(db: Db, orgId: number, name: string, url: string, events: string[]) {
  const [hook] = await db.insert(webhooks).values({ orgId, name, url, events }).returning();
  await db.insert(webhookSecrets).values({ orgId, webhookId: hook.id, secretEncrypted: encryptSecret(newWebhookSecret()) });
  return hook;
}

const requesterState = new Map<string, boolean>();
let requesterIndex = 0;
/** Whether the devices have sent a status before (their first contact, registration, is another path). */
export const devicesHaveCalled = () => requesterIndex > 0;
/** Round-robin status changes over the bench devices; each request flips its device, so every one is a change. */
export function statusRequester(udids: string[], tokens: string[]) {
  const state = { get: (n: number) => requesterState.get(udids[n]) ?? false };
  let i = requesterIndex;
  return (): LoadRequest => {
    const n = i++ % udids.length;
    requesterIndex = i;
    const next = !state.get(n);
    requesterState.set(udids[n], next);
    return {
      path: `/api/v1/devices/${udids[n]}/status`,
      method: "POST",
      headers: { authorization: `Bearer ${tokens[n]}`, "content-type": "application/json" },
      body: JSON.stringify({ status: next ? "online" : "unplugged" }),
    };
  };
}
