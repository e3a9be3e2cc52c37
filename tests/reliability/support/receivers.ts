import http from "node:http";
import net from "node:net";
import type { AddressInfo } from "node:net";

/**
 * A receiver on 127.0.0.1 that can go down (port closed: connection refused) and come back on the same port, and
 * whose answer can be switched. Counts requests per `webhook-id` and per answer.
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
  let status = 200;
  let headers: Record<string, string> = {};
  const log: OutageReceiver["log"] = [];
  const handler: http.RequestListener = (req, res) => {
    req.resume();
    req.on("end", () => {
      log.push({ id: String(req.headers["webhook-id"]), status, at: Date.now() });
      res.writeHead(status, { "content-type": "text/plain", ...headers }).end(String(status));
    });
  };
  let server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  let listening = true;
  const stop = async () => {
    if (!listening) return;
    listening = false;
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  };
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    answer(s, h = {}) {
      status = s;
      headers = h;
    },
    down: stop,
    async up() {
      if (listening) return;
      server = http.createServer(handler);
      await new Promise<void>((r) => server.listen(port, "127.0.0.1", r));
      listening = true;
    },
    close: stop,
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
