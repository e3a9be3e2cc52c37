// Vitest-only: the real SMTP server of tests/support/smtp.ts registered for a test file, like useTestReceiver.
import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";
import { pendingEmailKick } from "@/lib/email/kick";
import { closeSmtp } from "@/lib/email/transport";
import { startSmtp, type TestSmtp } from "./smtp";

export const TEST_APP_URL = "https://portal.example.test";

/**
 * Starts an SMTP server for the file; after each test, waits for a kicked email pass to finish; before each,
 * forgets received messages, accepts again, and points SMTP_URL and APP_URL at the server and a fixed portal address; after all, closes the app's pooled transport and the server. Returns a handle that forwards to
 * the running server (`smtp.messages`, `smtp.mode(…)`, …).
 */
export function useTestSmtp(): TestSmtp {
  let current: TestSmtp | undefined;
  beforeAll(async () => {
    current = await startSmtp();
  });
  // A kick a test started (an action queues an email and kicks the pass in the background) finishes before the
  // next test's truncate (useTestDatabase's beforeEach, which runs first): a pass still writing would deadlock it.
  afterEach(async () => {
    await pendingEmailKick();
  });
  beforeEach(async () => {
    await pendingEmailKick();
    current!.clear();
    current!.mode("accept");
    process.env.SMTP_URL = current!.url;
    process.env.APP_URL = TEST_APP_URL;
  });
  afterAll(async () => {
    closeSmtp();
    await current?.close();
  });
  return new Proxy({} as TestSmtp, {
    get(_target, key) {
      if (!current) throw new Error("the test SMTP server is not running yet (use it inside tests or hooks)");
      return Reflect.get(current, key);
    },
  });
}
