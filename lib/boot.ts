import "server-only";
import { getDatabase } from "@/db/client";

/**
 * Server start (called from instrumentation.ts): open and migrate the database, seed the demo org on a fresh
 * embedded database, reseal legacy webhook values, and start the in-process delivery loop unless EMBEDDED_WORKER=0.
 */
export async function bootServer(): Promise<void> {
  const handle = await getDatabase();
  const seedWanted = process.env.SEED_DEMO ? process.env.SEED_DEMO === "1" : handle.driver === "pglite";
  if (seedWanted) {
    const { seedDemoData, DEMO_EMAIL, DEMO_PASSWORD } = await import("@/lib/demo/seed");
    if (await seedDemoData(handle.db)) {
      console.log(`[signalpost] Demo data created. Sign in as ${DEMO_EMAIL} / ${DEMO_PASSWORD}`);
    } else if (handle.driver === "pglite") {
      console.log(`[signalpost] Demo sign-in (if you kept the seed): ${DEMO_EMAIL} / ${DEMO_PASSWORD}`);
    }
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
