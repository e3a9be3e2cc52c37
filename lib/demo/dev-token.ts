import "server-only";
import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "@/db/client";
import { devices, deviceTokens } from "@/db/schema";
import { hashDeviceToken } from "@/lib/devices/tokens";

/** The README's first curl: the demo's Galaxy Note 8, with this token, only when the demo is seeded in development. */
export const DEMO_DEV_UDID = "ce0917198075440c057e";
export const DEMO_DEV_TOKEN = "spd_demoNote8devDevelopmentOnlyDemoTokenNotForProduction";

export const isDevelopment = (env: NodeJS.ProcessEnv = process.env) => env.NODE_ENV === "development";

/** Whether the demo simulation runs: `npm run dev` (NODE_ENV=development) unless DEMO_SIMULATE=0; never in production. */
export function demoSimulationWanted(env: NodeJS.ProcessEnv = process.env): boolean {
  return isDevelopment(env) && env.DEMO_SIMULATE !== "0";
}

/** Whether the fixed demo token is issued: only when the demo is seeded in development. */
export function demoDevTokenWanted(env: NodeJS.ProcessEnv = process.env): boolean {
  return isDevelopment(env);
}

/**
 * Gives the README's demo device the fixed development token (its other tokens are revoked), inside the seed's
 * transaction. Call only when demoDevTokenWanted().
 */
export async function issueDemoDevToken(tx: Db, orgId: number, now: Date = new Date()): Promise<boolean> {
  const [device] = await tx.select().from(devices).where(and(eq(devices.orgId, orgId), eq(devices.udid, DEMO_DEV_UDID)));
  if (!device) return false;
  await tx
    .update(deviceTokens)
    .set({ revokedAt: now })
    .where(and(eq(deviceTokens.deviceId, device.id), isNull(deviceTokens.revokedAt)));
  await tx.insert(deviceTokens).values({
    orgId,
    deviceId: device.id,
    tokenHash: hashDeviceToken(DEMO_DEV_TOKEN),
    ref: DEMO_DEV_TOKEN.slice(4, 16),
    prefix: DEMO_DEV_TOKEN.slice(0, 10),
    createdAt: now,
  });
  return true;
}

