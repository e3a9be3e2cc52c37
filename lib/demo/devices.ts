import "server-only";
import type { Db } from "@/db/client";
import { devices, signals, type DeviceStatus } from "@/db/schema";
import { issueDeviceToken } from "@/lib/devices/tokens";

type DemoDevice = {
  udid: string;
  name: string;
  tags: string[];
  status: DeviceStatus;
  firmwareVersion: string | null;
  /** Seconds since the device was last heard from (null: never). */
  lastSeenAgo: number | null;
  offlineAfterSeconds: number;
  signals?: Record<string, unknown>;
};

const DEMO_DEVICES: DemoDevice[] = [
  { udid: "ce0917198075440c057e", name: "Galaxy Note 8", tags: ["android", "lab-1"], status: "online", firmwareVersion: "9.0.2", lastSeenAgo: 20, offlineAfterSeconds: 86_400, signals: { battery: 87, temperature: 31.5 } },
  { udid: "00008030-001A3C2E0C41802E", name: "iPhone 11 Pro", tags: ["ios", "lab-1"], status: "utilizing", firmwareVersion: "17.4.1", lastSeenAgo: 45, offlineAfterSeconds: 86_400, signals: { battery: 64 } },
  { udid: "R58M42ABCDE", name: "Galaxy Tab S6", tags: ["android", "tablet", "lab-2"], status: "unplugged", firmwareVersion: "12.0.0", lastSeenAgo: 600, offlineAfterSeconds: 86_400, signals: { battery: 12 } },
  { udid: "emulator-5554", name: "Pixel 7 emulator", tags: ["android", "ci"], status: "online", firmwareVersion: "14.0.0", lastSeenAgo: 5, offlineAfterSeconds: 300 },
  { udid: "sensor-gw-01", name: "Warehouse gateway", tags: ["gateway", "eu-west"], status: "offline", firmwareVersion: "2.0.3", lastSeenAgo: 7_200, offlineAfterSeconds: 300, signals: { temperature: 21.5, humidity: 48 } },
  { udid: "kiosk-lobby-2", name: "Lobby kiosk", tags: ["kiosk"], status: "offline", firmwareVersion: null, lastSeenAgo: null, offlineAfterSeconds: 600 },
];

/** Adds a handful of demo devices (varied statuses, tags, firmware, a few signals) to the org. */
export async function seedDemoDevices(db: Db, orgId: number, now: Date = new Date()): Promise<number> {
  for (const d of DEMO_DEVICES) {
    const lastSeenAt = d.lastSeenAgo === null ? null : new Date(now.getTime() - d.lastSeenAgo * 1000);
    const [device] = await db
      .insert(devices)
      .values({
        orgId,
        udid: d.udid,
        name: d.name,
        tags: d.tags,
        status: d.status,
        firmwareVersion: d.firmwareVersion,
        offlineAfterSeconds: d.offlineAfterSeconds,
        lastSeenAt,
        registeredAt: lastSeenAt ? new Date(lastSeenAt.getTime() - 3 * 86_400_000) : null,
        presenceDeadline: lastSeenAt ? new Date(lastSeenAt.getTime() + d.offlineAfterSeconds * 1000) : null,
        createdAt: new Date(now.getTime() - 4 * 86_400_000),
      })
      .returning();
    // a token exists for every device; `npm run simulate` regenerates the ones it drives
    await issueDeviceToken(db, device, now);
    if (d.signals && lastSeenAt) {
      await db.insert(signals).values(
        Object.entries(d.signals).map(([name, value]) => ({ orgId, deviceId: device.id, name, value, receivedAt: lastSeenAt })),
      );
    }
  }
  return DEMO_DEVICES.length;
}
