// Issue #22 item 13: a lively first run. In development the demo devices change state every few seconds (not in
// production, not with DEMO_SIMULATE=0), the README's first status curl works as written (a fixed token, only when
// the demo is seeded in development), the demo's routes are warmed at boot, and there is a favicon.
import { readFileSync, existsSync } from "node:fs";
import path from "node:path";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { POST as postStatus } from "@/app/api/v1/devices/[udid]/status/route";
import { devices, events, orgs, outbox } from "@/db/schema";
import { DEMO_DEV_TOKEN, DEMO_DEV_UDID, demoDevTokenWanted, demoSimulationWanted } from "@/lib/demo/dev-token";
import { simulateDemoStep, startDemoSimulation, warmDemoRoutes, WARM_ROUTES } from "@/lib/demo/live";
import { seedDemoData } from "@/lib/demo/seed";
import { resetDeviceRateLimits } from "@/lib/devices/api";
import { DEVICE_TOKEN_PATTERN } from "@/lib/devices/tokens";
import { callDeviceRoute } from "../devices/helpers";
import { useTestDatabase } from "../support/db";

const db = useTestDatabase();
const root = path.resolve(__dirname, "../..");
const dev = { NODE_ENV: "development" } as NodeJS.ProcessEnv;
const prod = { NODE_ENV: "production" } as NodeJS.ProcessEnv;
// the demo webhook points at http://localhost:3000: these tests queue its deliveries but never send them
const kicked: number[][] = [];
const noSend = { kick: (ids: number[]) => kicked.push(ids) };

describe("demo simulation", () => {
  it("runs in development only, and DEMO_SIMULATE=0 turns it off", () => {
    expect(demoSimulationWanted(dev)).toBe(true);
    expect(demoSimulationWanted({ ...dev, DEMO_SIMULATE: "0" })).toBe(false);
    expect(demoSimulationWanted(prod)).toBe(false);
    expect(demoSimulationWanted({ ...prod, DEMO_SIMULATE: "1" })).toBe(false);
    expect(demoSimulationWanted({ NODE_ENV: "test" } as NodeJS.ProcessEnv)).toBe(false);
    expect(startDemoSimulation(db(), prod)).toBeNull();
    expect(startDemoSimulation(db(), { ...dev, DEMO_SIMULATE: "0" })).toBeNull();
  });

  it("each step changes a demo device's status through the device contact path and queues its deliveries", async () => {
    expect(await simulateDemoStep(db(), noSend)).toBeNull(); // no demo yet: nothing to do
    await seedDemoData(db(), undefined, dev);
    const before = new Map((await db().select().from(devices)).map((d) => [d.udid, d.status]));
    const changed: string[] = [];
    for (let i = 0; i < 5; i++) {
      const step = await simulateDemoStep(db(), noSend);
      expect(step).not.toBeNull();
      expect(step!.events.length).toBeGreaterThanOrEqual(0);
      changed.push(step!.udid);
    }
    const after = new Map((await db().select().from(devices)).map((d) => [d.udid, d.status]));
    expect([...after].some(([udid, status]) => before.get(udid) !== status)).toBe(true);
    const statusEvents = (await db().select().from(events)).filter((e) => e.type.startsWith("device.state.") || e.type.startsWith("device.status."));
    expect(statusEvents.length).toBeGreaterThan(0);
    // they go to the demo webhook (its inbox), like any device event
    expect((await db().select().from(outbox)).length).toBeGreaterThan(6);
    expect(kicked.flat().length).toBeGreaterThan(0); // and are handed to the in-process dispatcher
  });

  it("does nothing to other orgs' devices", async () => {
    await seedDemoData(db(), undefined, dev);
    const [other] = await db().insert(orgs).values({ slug: "other", name: "Demo" }).returning();
    await db().insert(devices).values({ orgId: other.id, udid: "other-1", name: "Other", tags: [], status: "offline" });
    for (let i = 0; i < 10; i++) await simulateDemoStep(db(), noSend);
    const [row] = await db().select().from(devices).where(eq(devices.orgId, other.id));
    expect(row.status).toBe("offline");
  });
});

describe("the README's first status curl", () => {
  it("is runnable as written in development: the demo device's token is the one README shows", async () => {
    const readme = readFileSync(path.join(root, "README.md"), "utf8");
    expect(readme).toContain(`TOKEN=${DEMO_DEV_TOKEN}`);
    expect(readme).toContain(`/api/v1/devices/${DEMO_DEV_UDID}/status`);
    expect(DEVICE_TOKEN_PATTERN.test(DEMO_DEV_TOKEN)).toBe(true);
    await seedDemoData(db(), undefined, dev);
    resetDeviceRateLimits();
    const res = await callDeviceRoute(postStatus, DEMO_DEV_UDID, {
      token: DEMO_DEV_TOKEN,
      body: { status: "online", firmwareVersion: "2.1.0", signals: { temperature: 21.5 } },
    });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ udid: DEMO_DEV_UDID, status: "online" });
  });

  it("the fixed token exists only when the demo is seeded in development (never in production)", async () => {
    expect(demoDevTokenWanted(prod)).toBe(false);
    await seedDemoData(db(), undefined, prod);
    resetDeviceRateLimits();
    const res = await callDeviceRoute(postStatus, DEMO_DEV_UDID, { token: DEMO_DEV_TOKEN, body: { status: "online" } });
    expect(res.status).toBe(401);
  });
});

describe("boot extras", () => {
  it("warms the demo's routes in development only, against the portal itself", async () => {
    const asked: string[] = [];
    const fake = (async (url: string | URL | Request, init?: RequestInit) => {
      asked.push(`${init?.method ?? "GET"} ${String(url)}`);
      return new Response("", { status: 404 });
    }) as typeof fetch;
    expect(await warmDemoRoutes("http://localhost:3000", fake, prod)).toBe(0);
    expect(asked).toEqual([]);
    expect(await warmDemoRoutes("http://localhost:3000", fake, dev)).toBe(WARM_ROUTES.length);
    expect(asked.every((a) => a.includes(" http://localhost:3000/"))).toBe(true);
    expect(asked.some((a) => a.includes("/api/inbox/"))).toBe(true);
    expect(asked.some((a) => a.includes("/api/v1/devices/"))).toBe(true);
  });

  it("has a favicon (app/icon.svg), so pages stop logging a 404", () => {
    const icon = path.join(root, "app/icon.svg");
    expect(existsSync(icon)).toBe(true);
    expect(readFileSync(icon, "utf8")).toMatch(/^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  });
});
