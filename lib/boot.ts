import "server-only";
import { getDatabase } from "@/db/client";

/**
 * Server start (called from instrumentation.ts): open and migrate the database, seed the demo org on a fresh
 * embedded database, in development start the demo simulation and warm the demo's routes, and start the
 * in-process delivery loop unless EMBEDDED_WORKER=0.
 */
export async function bootServer(): Promise<void> {
  const handle = await getDatabase();
  const seedWanted = process.env.SEED_DEMO ? process.env.SEED_DEMO === "1" : handle.driver === "pglite";
  if (seedWanted) {
    const { seedDemoData, DEMO_EMAIL, DEMO_PASSWORD } = await import("@/lib/demo/seed");
    if (await seedDemoData(handle.db)) {
      console.log(`[signalpost] Demo data created. Sign in as ${DEMO_EMAIL} / ${DEMO_PASSWORD}`);
      const { demoDevTokenWanted, DEMO_DEV_TOKEN, DEMO_DEV_UDID } = await import("@/lib/demo/dev-token");
      if (demoDevTokenWanted()) {
        console.log(`[signalpost] Demo device ${DEMO_DEV_UDID} token (development only): ${DEMO_DEV_TOKEN}`);
      }
    } else if (handle.driver === "pglite") {
      console.log(`[signalpost] Demo sign-in (if you kept the seed): ${DEMO_EMAIL} / ${DEMO_PASSWORD}`);
    }
  }
  // Development only (`npm run dev`): the demo devices change state every few seconds (DEMO_SIMULATE=0 turns it
  // off), and the routes the demo uses are compiled now rather than on the first delivery.
  if (process.env.NODE_ENV === "development") {
    const { startDemoSimulation, warmDemoRoutes } = await import("@/lib/demo/live");
    if (startDemoSimulation(handle.db)) {
      console.log("[signalpost] Demo devices change state every few seconds (DEMO_SIMULATE=0 turns it off).");
    }
    const { appBaseUrl } = await import("@/lib/demo/seed");
    void warmDemoRoutes(appBaseUrl()).catch(() => undefined);
  }
  if (process.env.EMBEDDED_WORKER !== "0") {
    const { startEmbeddedLoop } = await import("@/lib/jobs/tick");
    startEmbeddedLoop();
    console.log("[signalpost] Embedded delivery loop started (EMBEDDED_WORKER=0 turns it off).");
  }
  console.log(`[signalpost] Database: ${handle.driver === "pglite" ? `embedded PGlite (${process.env.PGLITE_DIR ?? "./.data/pglite"})` : "PostgreSQL (DATABASE_URL)"}`);
}
