import "server-only";
import type { Dispatcher, Pool } from "undici";

// One HTTP exchange on an undici pool, at the dispatcher level: no Readable stream, async iterator or AbortSignal per
// request (measured: `pool.request` + reading its body stream was most of the delivery engine's HTTP cost). The
// response body is kept up to `keepBytes` and read up to `readLimit`; past that the connection is cut (it is not
// reused) and the response counts as complete.

/** What came back: status, headers (lower-case names, repeated ones joined by ", "), the kept bytes, bytes read. */
export type Exchanged = { status: number; headers: Record<string, string>; chunks: Buffer[]; bytesRead: number };

/** Why an exchange ended without a response: the deadline passed, the caller's signal fired, or a transport error. */
export class ExchangeError extends Error {
  constructor(
    readonly kind: "timeout" | "cancelled" | "transport",
    readonly cause: unknown,
  ) {
    super(kind);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Deadlines: one timer per DEADLINE_GRAIN_MS, not one per request. A request started at t with timeout T joins the
// slot that ends at the first multiple of the grain ≥ t + T; the slot's timer aborts what is still in flight then,
// so a request is cut after T and at most T + DEADLINE_GRAIN_MS later (connect, headers and body alike). A finished
// request leaves its slot. undici's headersTimeout/bodyTimeout (T + 1 s, set by the caller) stay as backstops.
// ---------------------------------------------------------------------------------------------------------------

const DEADLINE_GRAIN_MS = 25;
const slots = new Map<number, Set<Exchange>>();

function joinSlot(exchange: Exchange, timeoutMs: number): Set<Exchange> {
  const now = performance.now();
  const at = Math.ceil((now + timeoutMs) / DEADLINE_GRAIN_MS) * DEADLINE_GRAIN_MS;
  let slot = slots.get(at);
  if (!slot) {
    const members = (slot = new Set());
    slots.set(at, members);
    // unref'd: the sockets in flight keep the process alive, an idle slot should not
    setTimeout(() => {
      slots.delete(at);
      for (const e of members) e.fail("timeout", null);
    }, at - now).unref();
  }
  slot.add(exchange);
  return slot;
}

const TIMEOUT = new Error("timeout");
const CANCELLED = new Error("request cancelled");
/** The abort reason when the read limit is reached: the response is complete as far as we care. */
const ENOUGH = new Error("response read limit reached");

function headerObject(raw: Buffer[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i].toString("latin1").toLowerCase();
    const value = raw[i + 1].toString("latin1");
    const had = Object.hasOwn(out, name) ? out[name] : undefined;
    if (name === "__proto__") Object.defineProperty(out, name, { value, enumerable: true, configurable: true, writable: true });
    else out[name] = had === undefined ? value : `${had}, ${value}`;
  }
  return out;
}

class Exchange implements Dispatcher.DispatchHandler {
  private abortFn: ((reason: Error) => void) | null = null;
  private done = false;
  private status = 0;
  private headers: Record<string, string> = {};
  private readonly chunks: Buffer[] = [];
  private read = 0;
  private readonly slot: Set<Exchange>;
  private readonly onSignal: (() => void) | null = null;

  constructor(
    private readonly resolve: (value: Exchanged) => void,
    private readonly reject: (error: ExchangeError) => void,
    timeoutMs: number,
    private readonly keepBytes: number,
    private readonly readLimit: number,
    private readonly signal: AbortSignal | undefined,
  ) {
    this.slot = joinSlot(this, timeoutMs);
    if (signal) {
      this.onSignal = () => this.fail("cancelled", null);
      signal.addEventListener("abort", this.onSignal, { once: true });
    }
  }

  /** Ends the exchange with an error (deadline, cancel, or undici's), aborting the request if it is still running. */
  fail(kind: ExchangeError["kind"], cause: unknown): void {
    if (this.done) return;
    this.finish();
    this.reject(new ExchangeError(kind, cause));
    if (kind !== "transport") this.abortFn?.(kind === "timeout" ? TIMEOUT : CANCELLED);
  }

  private finish(): void {
    this.done = true;
    this.slot.delete(this);
    if (this.onSignal) this.signal!.removeEventListener("abort", this.onSignal);
  }

  private complete(): void {
    if (this.done) return;
    this.finish();
    this.resolve({ status: this.status, headers: this.headers, chunks: this.chunks, bytesRead: this.read });
  }

  onConnect(abort: (err?: Error) => void): void {
    this.abortFn = abort;
    if (this.done) abort(TIMEOUT); // timed out or cancelled before undici got to it
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[]): boolean {
    if (this.done) return false;
    this.status = statusCode;
    this.headers = headerObject(rawHeaders);
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.done) return false;
    if (this.read < this.keepBytes) this.chunks.push(chunk);
    this.read += chunk.length;
    if (this.read >= this.readLimit) {
      // enough: the rest is not read; cutting the request closes the connection (it is not reused)
      this.complete();
      this.abortFn?.(ENOUGH);
      return false;
    }
    return true;
  }

  onComplete(): void {
    this.complete();
  }

  onError(err: Error): void {
    this.fail("transport", err);
  }
}

/** Sends one request on `pool` and reads its response, within `timeoutMs` overall. Rejects with ExchangeError. */
export function exchange(
  pool: Pool,
  request: { path: string; method: string; headers: Record<string, string>; body: string },
  limits: { timeoutMs: number; keepBytes: number; readLimit: number; signal?: AbortSignal },
): Promise<Exchanged> {
  if (limits.signal?.aborted) return Promise.reject(new ExchangeError("cancelled", null));
  return new Promise<Exchanged>((resolve, reject) => {
    const handler = new Exchange(resolve, reject, limits.timeoutMs, limits.keepBytes, limits.readLimit, limits.signal);
    pool.dispatch(
      {
        path: request.path,
        method: request.method as Dispatcher.HttpMethod,
        headers: request.headers,
        body: request.body,
        // backstops only: undici runs these on its coarse timers (~0.5 s resolution), the deadline above is exact
        headersTimeout: limits.timeoutMs + 1_000,
        bodyTimeout: limits.timeoutMs + 1_000,
      },
      handler,
    );
  });
}
