import { intEnv } from "@/lib/env";

/** Per-request timeout: WEBHOOK_TIMEOUT_MS (default 10 s), covering connect, headers and body. */
export function webhookTimeoutMs(): number {
  return intEnv("WEBHOOK_TIMEOUT_MS", 10_000) || 10_000;
}

/**
 * What a lease must still cover when a row's send starts: the request's timeout, then writing its outcome back.
 * A claim leases rows for a pass's budget plus this; a row held longer than its lease allows is not sent.
 */
export function sendAndRecordMs(): number {
  return webhookTimeoutMs() + 30_000;
}
