import "server-only";
import { getDatabase } from "@/db/client";

/**
 * Server start (called from instrumentation.ts): open and migrate the database, seed the demo org on a fresh
 * database under `npm run dev` or with SEED_DEMO=1 (never a fixed password in production), in development start
 * the demo simulation and warm the demo's routes, reseal legacy webhook values, and start the in-process delivery loop unless EMBEDDED_WORKER=0.
 */
export async function bootServer(): Promise<void> {
  const handle = await getDatabase();
  const { demoSeedPlan } = await import("@/lib/demo/seed-plan");
  const { seedDemoData, DEMO_EMAIL, DEMO_PASSWORD } = await import("@/lib/demo/seed");
  const plan = demoSeedPlan(process.env, handle.driver, DEMO_PASSWORD);
  if (plan.seed) {
    if (await seedDemoData(handle.db, plan.password)) {
      const shown = plan.passwordShown === "chosen" ? "(SEED_DEMO_PASSWORD)" : plan.password;
      console.log(`[signalpost] Demo data created. Sign in as ${DEMO_EMAIL} / ${shown}`);
      if (plan.passwordShown === "generated") console.log("[signalpost] That password is random and shown only now: change it under Account.");
      const { demoDevTokenWanted, DEMO_DEV_TOKEN, DEMO_DEV_UDID } = await import("@/lib/demo/dev-token");
      if (demoDevTokenWanted()) {
        console.log(`[signalpost] Demo device ${DEMO_DEV_UDID} token (development only): ${DEMO_DEV_TOKEN}`);
      }
    } else if (plan.passwordShown === "fixed" && handle.driver === "pglite") {
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
  // webhook credentials and secrets stored before they were bound to their row (issue #16 item 11) are resealed
  const { resealLegacyWebhookValues } = await import("@/lib/webhooks/reseal");
  const resealed = await resealLegacyWebhookValues(handle.db).catch((err) => {
    console.error("[signalpost] Could not reseal legacy webhook values:", err instanceof Error ? err.message : err);
    return 0;
  });
  if (resealed > 0) console.log(`[signalpost] Resealed ${resealed} webhook values, now bound to their webhook.`);
  console.log(`[signalpost] Database: ${handle.driver === "pglite" ? `embedded PGlite (${process.env.PGLITE_DIR ?? "./.data/pglite"})` : "PostgreSQL (DATABASE_URL)"}`);
}
