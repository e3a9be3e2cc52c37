import "server-only";
import { after } from "next/server";
import { processEmailOutbox } from "./pass";

/**
 * Sends queued emails at once in this process (call after the transaction that queued them commits). Never throws;
 * concurrent kicks coalesce into one more pass. A lost kick costs latency only: the tick sends whatever is due.
 */
const g = globalThis as unknown as { __signalpostEmailKick?: { running: Promise<void> | null; again: boolean } };
const state = (g.__signalpostEmailKick ??= { running: null, again: false });

const KICK_BUDGET_MS = 10_000;

export function kickEmails(): Promise<void> {
  if (state.running) {
    state.again = true;
  } else {
    state.running = (async () => {
      try {
        do {
          state.again = false;
          await processEmailOutbox({ budgetMs: KICK_BUDGET_MS });
        } while (state.again);
      } catch (err) {
        console.error("[email] kicked pass failed:", err instanceof Error ? err.message : err);
      } finally {
        state.running = null;
      }
    })();
  }
  const running = state.running!;
  try {
    after(() => running);
  } catch {
    // outside a request scope (scripts, tests): nothing to keep alive
  }
  return running;
}

/** The kicked pass currently running, if any (tests wait on it). */
export function pendingEmailKick(): Promise<void> | null {
  return state.running;
}
