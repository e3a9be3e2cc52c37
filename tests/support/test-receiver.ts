// Vitest-only: imports the server sender, so e2e specs (which share receiver.ts) must not import this file.
import { afterAll, beforeAll, beforeEach } from "vitest";
import { closeSendPools } from "@/lib/delivery/send";
import { behaviours, startReceiver, type Receiver } from "./receiver";

/**
 * Registers a receiver for the current test file (or describe block): started before all tests, reset to "200 OK"
 * with no recorded requests before each, closed (with the sender's pooled connections) after all. Returns a handle
 * that forwards to the receiver once it is running, so tests keep writing `receiver.url`, `receiver.requests`, ….
 */
export function useTestReceiver(): Receiver {
  let current: Receiver | undefined;
  beforeAll(async () => {
    current = await startReceiver();
  });
  beforeEach(() => {
    current!.clear();
    current!.respondWith(behaviours.ok());
  });
  afterAll(async () => {
    await closeSendPools();
    await current?.close();
  });
  return new Proxy({} as Receiver, {
    get(_target, key) {
      if (!current) throw new Error("the test receiver is not running yet (use it inside tests or hooks)");
      return Reflect.get(current, key);
    },
  });
}
