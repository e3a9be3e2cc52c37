import net from "node:net";
import type { AddressInfo } from "node:net";
import { startReceiver } from "../../support/receiver";

/**
 * The shared test receiver (tests/support/receiver.ts) seen as an outage: it can go down (connection refused) and come
 * back on the same port, and its answer can be switched. Logs each request's `webhook-id` and the status answered.
 */
export type OutageReceiver = {
  url: string;
  /** Every request as (webhook-id, status answered). */
  log: { id: string; status: number; at: number }[];
  answer: (status: number, headers?: Record<string, string>) => void;
  down: () => Promise<void>;
  up: () => Promise<void>;
  close: () => Promise<void>;
};

export async function startOutageReceiver(): Promise<OutageReceiver> {
  const receiver = await startReceiver();
  let status = 200;
  let headers: Record<string, string> = {};
  const log: OutageReceiver["log"] = [];
  receiver.respondWith((req) => {
    log.push({ id: String(req.headers["webhook-id"]), status, at: Date.now() });
    return { status, headers: { "content-type": "text/plain", ...headers }, body: String(status) };
  });
  return {
    url: receiver.url,
    log,
    answer(s, h = {}) {
      status = s;
      headers = h;
    },
    down: receiver.down,
    up: receiver.up,
    close: receiver.close,
  };
}

/**
 * Raw TCP receivers that misbehave below HTTP: `silent` accepts connections and never writes a byte (and never
 * closes them); `trickle` sends a 200 status line and headers for a chunked body, then one byte a second forever.
 */
export async function startMisbehavingServer(kind: "silent" | "trickle"): Promise<{ url: string; connections: () => number; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let accepted = 0;
  const server = net.createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on("error", () => undefined);
    socket.on("close", () => sockets.delete(socket));
    if (kind === "trickle") {
      socket.once("data", () => {
        socket.write("HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ntransfer-encoding: chunked\r\n\r\n");
        const timer = setInterval(() => {
          if (!socket.destroyed) socket.write("1\r\nx\r\n");
        }, 100);
        timers.add(timer);
        socket.on("close", () => {
          clearInterval(timer);
          timers.delete(timer);
        });
      });
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => accepted,
    async close() {
      for (const t of timers) clearInterval(t);
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
