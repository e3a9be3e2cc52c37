// A webhook receiver for the benchmark, in its own process so it does not share a core's event loop with the
// sender. Answers 200 at once and reports what arrived (count, and arrival times by webhook-id) over IPC.
import http from "node:http";

const arrivals = new Map<string, number>();
let count = 0;
/** Requests whose webhook-id had arrived before (a delivery sent twice). */
let duplicates = 0;

const server = http.createServer((req, res) => {
  let size = 0;
  req.on("data", (c: Buffer) => (size += c.length));
  req.on("end", () => {
    count++;
    const id = req.headers["webhook-id"];
    if (typeof id === "string" && process.env.RECORD_ARRIVALS === "1") {
      if (arrivals.has(id)) duplicates++;
      else arrivals.set(id, performance.timeOrigin + performance.now());
    }
    res.writeHead(200, { "content-type": "application/json", "content-length": "11" });
    res.end('{"ok":true}');
  });
});
server.keepAliveTimeout = 30_000;

server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  process.send?.({ type: "ready", port: typeof address === "object" && address ? address.port : 0 });
});

process.on("message", (msg: { type: string }) => {
  if (msg.type === "count") process.send?.({ type: "count", count });
  if (msg.type === "arrivals") process.send?.({ type: "arrivals", arrivals: [...arrivals.entries()] });
  if (msg.type === "duplicates") process.send?.({ type: "duplicates", duplicates });
  if (msg.type === "reset") {
    count = 0;
    duplicates = 0;
    arrivals.clear();
    process.send?.({ type: "reset" });
  }
  if (msg.type === "stop") server.close(() => process.exit(0));
});
// Never outlive the benchmark.
setTimeout(() => process.exit(0), 15 * 60_000).unref();
process.on("disconnect", () => process.exit(0));
