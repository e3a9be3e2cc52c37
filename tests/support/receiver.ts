import http from "node:http";
import type { AddressInfo } from "node:net";

/** One request the receiver got, exactly as it arrived. */
export type ReceivedRequest = {
  method: string;
  /** Path + query string. */
  path: string;
  headers: Record<string, string>;
  /** The raw body bytes, and the same decoded as UTF-8 (what a receiver verifies signatures against). */
  rawBody: Buffer;
  body: string;
  receivedAt: Date;
};

/** How the receiver answers. Switch it any time with `respondWith`. */
export type Behaviour = {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  /** Wait before answering (a slow endpoint). */
  delayMs?: number;
  /** Never answer (until the receiver closes). */
  hang?: boolean;
};

/** Ready-made behaviours for the usual cases. */
export const behaviours = {
  ok: (body = "ok"): Behaviour => ({ status: 200, body }),
  status: (status: number, body = `status ${status}`): Behaviour => ({ status, body }),
  error: (): Behaviour => ({ status: 500, body: "internal error" }),
  gone: (): Behaviour => ({ status: 410, body: "gone" }),
  retryAfter: (seconds: number | string, status = 429): Behaviour => ({
    status,
    headers: { "retry-after": String(seconds) },
    body: "slow down",
  }),
  hang: (): Behaviour => ({ hang: true }),
  redirect: (location: string, status = 302): Behaviour => ({ status, headers: { location }, body: "" }),
  slow: (delayMs: number, status = 200): Behaviour => ({ status, delayMs, body: "ok (slow)" }),
};

export type Receiver = {
  url: string;
  port: number;
  requests: ReceivedRequest[];
  /** Answer every following request this way (a function can decide per request). */
  respondWith: (behaviour: Behaviour | ((req: ReceivedRequest, index: number) => Behaviour)) => void;
  /** Resolves once at least `count` requests have arrived (rejects after `timeoutMs`). */
  waitForRequests: (count: number, timeoutMs?: number) => Promise<ReceivedRequest[]>;
  /** Forgets recorded requests. */
  clear: () => void;
  /** Stops listening (connections refused) until `up`; the port stays reserved for it. */
  down: () => Promise<void>;
  /** Listens again on the same port. */
  up: () => Promise<void>;
  close: () => Promise<void>;
};

/**
 * A real HTTP receiver on 127.0.0.1 with an OS-assigned port, whose answers can be switched per test. Records every
 * request (headers + raw body). Shared by the delivery, webhook and inbox tests.
 */
export async function startReceiver(initial: Behaviour = behaviours.ok()): Promise<Receiver> {
  let decide: (req: ReceivedRequest, index: number) => Behaviour = () => initial;
  const requests: ReceivedRequest[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  const hanging = new Set<http.ServerResponse>();

  const handler: http.RequestListener = (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const rawBody = Buffer.concat(chunks);
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) {
        if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(", ") : v;
      }
      const record: ReceivedRequest = {
        method: req.method ?? "",
        path: req.url ?? "/",
        headers,
        rawBody,
        body: rawBody.toString("utf8"),
        receivedAt: new Date(),
      };
      const index = requests.length;
      requests.push(record);
      for (const w of [...waiters]) {
        if (requests.length >= w.count) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve();
        }
      }
      const b = decide(record, index);
      if (b.hang) {
        hanging.add(res);
        res.on("close", () => hanging.delete(res));
        return;
      }
      const answer = () => {
        if (res.destroyed) return;
        res.writeHead(b.status ?? 200, { "content-type": "text/plain", ...b.headers });
        res.end(b.body ?? "");
      };
      if (b.delayMs) setTimeout(answer, b.delayMs);
      else answer();
    });
  };
  const listen = async (onPort: number) => {
    const s = http.createServer(handler);
    s.keepAliveTimeout = 5_000;
    await new Promise<void>((resolve) => s.listen(onPort, "127.0.0.1", resolve));
    return s;
  };
  let server: http.Server | null = await listen(0);
  const port = (server.address() as AddressInfo).port;
  const stop = async () => {
    if (!server) return;
    const s = server;
    server = null;
    for (const res of hanging) res.destroy();
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  };

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    respondWith(behaviour) {
      decide = typeof behaviour === "function" ? behaviour : () => behaviour;
    },
    waitForRequests(count, timeoutMs = 10_000) {
      if (requests.length >= count) return Promise.resolve(requests.slice());
      return new Promise((resolve, reject) => {
        const waiter = {
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve(requests.slice());
          },
        };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error(`receiver got ${requests.length} of ${count} requests within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.push(waiter);
      });
    },
    clear() {
      requests.length = 0;
    },
    down: stop,
    async up() {
      server ??= await listen(port);
    },
    close: stop,
  };
}

