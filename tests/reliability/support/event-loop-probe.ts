// A child process that runs one delivery pass (the same code as the worker and the web server's loop) while a
// 10 ms timer measures how long the event loop was blocked. Prints "PROBE {json}" and exits. Used by
// tests/reliability/template-budget.test.ts: a test process cannot watch its own event loop freeze, a parent can
// (and can kill a frozen child).
import { getDatabase } from "@/db/client";
import { processOutbox } from "@/lib/delivery/pass";
import { closeSendPools } from "@/lib/delivery/send";

async function main() {
  const handle = await getDatabase();
  let last = performance.now();
  let maxGapMs = 0;
  let ticks = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    maxGapMs = Math.max(maxGapMs, now - last);
    last = now;
    ticks++;
  }, 10);
  const started = performance.now();
  const result = await processOutbox({ budgetMs: 5_000 });
  const durationMs = Math.round(performance.now() - started);
  // one more tick, so a block at the very end of the pass is measured too
  await new Promise((r) => setTimeout(r, 30));
  clearInterval(timer);
  console.log(`PROBE ${JSON.stringify({ result, durationMs, maxGapMs: Math.round(maxGapMs), ticks })}`);
  await closeSendPools();
  await handle.close();
}

main().catch((err) => {
  console.error("[probe] fatal:", err);
  process.exit(1);
});
