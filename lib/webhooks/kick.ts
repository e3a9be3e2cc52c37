import "server-only";
import { after } from "next/server";

/**
 * Low-latency trigger: a request that just committed events calls `kickDelivery()`, and one delivery pass runs
 * right after its response is sent (Next `after()`), so receivers hear of a change within milliseconds instead of
 * waiting for the next tick. Kicks coalesce in-process: while a pass runs, further kicks only ask for one more
 * pass afterwards (rows committed after the running pass claimed its batch are then picked up). The embedded
 * loop, the worker and the cron route remain the backstop for retries, so a lost kick only costs latency.
 * EMBEDDED_WORKER=0 does not turn kicks off: it controls the background loop only.
 */

const KICK_BUDGET_MS = 5_000;

const g = globalThis as unknown as { __signalpostKick?: { running: Promise<void> | null; again: boolean } };
const state = (g.__signalpostKick ??= { running: null, again: false });

/** Runs passes until no kick arrived during the last one; returns the running chain. */
function runKickedPasses(): Promise<void> {
  if (state.running) {
    state.again = true;
    return state.running;
  }
  state.running = (async () => {
    try {
      do {
        state.again = false;
        const { runDeliveryPass } = await import("./tick");
        await runDeliveryPass({ budgetMs: KICK_BUDGET_MS });
      } while (state.again);
    } catch (err) {
      console.error("[delivery] kicked pass failed:", err);
    } finally {
      state.running = null;
    }
  })();
  return state.running;
}

/** Schedules one delivery pass right after the current response (or now, outside a request). Never throws. */
export function kickDelivery(): void {
  try {
    after(() => runKickedPasses());
  } catch {
    // outside a request scope (scripts, tests, instrumentation): just start it
    void runKickedPasses();
  }
}

/** The kicked pass currently running, if any (tests wait on it). */
export function pendingKick(): Promise<void> | null {
  return state.running;
}
