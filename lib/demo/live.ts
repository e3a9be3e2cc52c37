import "server-only";
import { sql } from "drizzle-orm";
import { queryRows, type Db } from "@/db/client";
import type { DeviceStatus } from "@/db/schema";
import { kickDelivery } from "@/lib/delivery/kick";
import { recordDeviceContact } from "@/lib/devices/contact";
import { demoSimulationWanted, isDevelopment } from "./dev-token";
import { DEMO_EMAIL } from "./seed";

// A lively first run (`npm run dev`): the demo devices change state every few seconds, the routes the demo uses are
// compiled at boot, and the README's first status curl works as written with a fixed development-only token.
// Never in production: every entry point here checks NODE_ENV.

type DemoDevice = { id: number; udid: string; status: DeviceStatus; tokenHash: string };

/** The demo org's devices with an active token (the demo user's org named "Demo"). */
async function demoDevices(db: Db): Promise<DemoDevice[]> {
  const rows = await queryRows<{ id: number; udid: string; status: DeviceStatus; token_hash: string }>(
    db,
    sql`select d.id, d.udid, d.status, t.token_hash
        from users u
        join memberships m on m.user_id = u.id
        join orgs o on o.id = m.org_id and o.name = 'Demo'
        join devices d on d.org_id = o.id
        join device_tokens t on t.device_id = d.id and t.revoked_at is null
        where u.email = ${DEMO_EMAIL}
        order by d.id`,
  );
  return rows.map((r) => ({ id: Number(r.id), udid: r.udid, status: r.status, tokenHash: r.token_hash }));
}

const LIVE_STATUSES: DeviceStatus[] = ["online", "utilizing", "unplugged"];

/**
 * One step of the demo: one demo device reports a different status (and a battery reading) through the same
 * contact path as the device API, and its deliveries are kicked. Returns what changed, or null (no demo devices).
 */
export async function simulateDemoStep(
  db: Db,
  opts: { random?: () => number; now?: Date; kick?: (outboxIds: number[]) => unknown } = {},
): Promise<{ udid: string; status: DeviceStatus; events: string[] } | null> {
  const random = opts.random ?? Math.random;
  const now = opts.now ?? new Date();
  const kick = opts.kick ?? kickDelivery;
  const all = await demoDevices(db);
  if (all.length === 0) return null;
  const device = all[Math.floor(random() * all.length) % all.length];
  const choices = LIVE_STATUSES.filter((s) => s !== device.status);
  const status = choices[Math.floor(random() * choices.length) % choices.length];
  const result = await recordDeviceContact(db, {
    udid: device.udid,
    tokenHash: device.tokenHash,
    report: { status },
    signals: { battery: Math.round(20 + random() * 80) },
    now,
  });
  if (!result) return null;
  if (result.outboxIds.length > 0) void kick(result.outboxIds);
  return { udid: device.udid, status: result.status, events: result.events };
}

const g = globalThis as unknown as { __signalpostDemoSim?: { stop: () => void } };

/**
 * Starts the demo simulation (every DEMO_SIMULATE_INTERVAL_MS, default 4 s) when demoSimulationWanted(); returns
 * its stop function, or null when it does not run. One per process (dev reloads reuse it).
 */
export function startDemoSimulation(db: Db, env: NodeJS.ProcessEnv = process.env): (() => void) | null {
  if (!demoSimulationWanted(env)) return null;
  if (g.__signalpostDemoSim) return g.__signalpostDemoSim.stop;
  const intervalMs = Math.max(500, Number(env.DEMO_SIMULATE_INTERVAL_MS) || 4_000);
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const step = async () => {
    if (stopped) return;
    try {
      await simulateDemoStep(db);
    } catch (err) {
      console.error("[demo] simulation step failed:", err instanceof Error ? err.message : err);
    }
    if (!stopped) timer = setTimeout(step, intervalMs);
  };
  timer = setTimeout(step, intervalMs);
  timer.unref?.();
  const stop = () => {
    stopped = true;
    clearTimeout(timer);
    g.__signalpostDemoSim = undefined;
  };
  g.__signalpostDemoSim = { stop };
  return stop;
}

/** The routes the demo uses, requested once at boot in development so the first deliveries do not wait on compiles. */
export const WARM_ROUTES: { method: "GET" | "POST"; path: string }[] = [
  { method: "GET", path: "/api/health" },
  // an unknown inbox token: compiles the capture route, answers 404 and records nothing
  { method: "POST", path: "/api/inbox/warmup0000000000000000000000000000" },
  // no token: compiles the device API, answers 401 and records nothing
  { method: "POST", path: `/api/v1/devices/warmup/status` },
  { method: "GET", path: "/sign-in" },
];

/**
 * Requests WARM_ROUTES on this server (development only), after it starts listening; failures are ignored. Only
 * ever talks to `baseUrl` (the portal itself, localhost by default).
 */
export async function warmDemoRoutes(
  baseUrl: string,
  fetchImpl: typeof fetch = fetch,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  if (!isDevelopment(env)) return 0;
  let warmed = 0;
  for (const route of WARM_ROUTES) {
    for (let attempt = 0; attempt < 20; attempt++) {
      try {
        const res = await fetchImpl(`${baseUrl}${route.path}`, { method: route.method, redirect: "manual" });
        await res.arrayBuffer().catch(() => undefined);
        warmed++;
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 500)); // not listening yet
      }
    }
  }
  return warmed;
}
