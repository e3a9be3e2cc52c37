// The production server (`npm start`): Next.js behind a plain Node HTTP server whose only addition is the device
// report routes' fast path (lib/devices/fast-path.ts). Built by `npm run build` into dist/server.cjs (esbuild,
// scripts/build-server.mjs); `next start` still works, without the fast path.
//
//   npm start [-- -p 3000 -H 0.0.0.0]     (or PORT / HOSTNAME)
import { createServer } from "node:http";

// As `next start`: a production server, also when started without NODE_ENV (before anything reads it)
(process.env as Record<string, string | undefined>).NODE_ENV ??= "production";

type Options = { port: number; hostname: string | undefined; keepAliveTimeout: number | undefined };

/** -p/--port, -H/--hostname, --keepAliveTimeout as `next start` takes them; PORT and HOSTNAME otherwise. */
export function parseOptions(argv: readonly string[], env: Record<string, string | undefined>): Options {
  const value = (i: number, flag: string) => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith("-")) throw new Error(`${flag} needs a value`);
    return v;
  };
  let port = env.PORT ?? "3000";
  let hostname = env.HOSTNAME || undefined;
  let keepAlive: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    const take = () => inline ?? value(i++, flag);
    if (flag === "-p" || flag === "--port") port = take();
    else if (flag === "-H" || flag === "--hostname") hostname = take();
    else if (flag === "--keepAliveTimeout") keepAlive = take();
    else throw new Error(`Unknown option ${arg} (use -p/--port, -H/--hostname, --keepAliveTimeout)`);
  }
  const portNumber = Number(port);
  if (!/^\d+$/.test(port) || portNumber > 65535) throw new Error(`Invalid port "${port}"`);
  const keepAliveTimeout = keepAlive === undefined ? undefined : Number(keepAlive);
  if (keepAliveTimeout !== undefined && !(Number.isInteger(keepAliveTimeout) && keepAliveTimeout >= 0)) {
    throw new Error(`Invalid --keepAliveTimeout "${keepAlive}" (milliseconds)`);
  }
  return { port: portNumber, hostname, keepAliveTimeout };
}

async function main(): Promise<void> {
  let options: Options;
  try {
    options = parseOptions(process.argv.slice(2), process.env);
  } catch (err) {
    console.error(`[signalpost] ${(err as Error).message}`);
    process.exit(2);
  }
  const { port, hostname, keepAliveTimeout } = options;
  const { default: next } = await import("next");

  // as `next start`: the port and origin the app's absolute links fall back to when APP_URL is unset
  process.env.PORT = String(port);
  const shownHost = !hostname || hostname === "0.0.0.0" || hostname === "::" ? "localhost" : hostname.includes(":") ? `[${hostname}]` : hostname;
  process.env.__NEXT_PRIVATE_ORIGIN = `http://${shownHost}:${port}`;

  const server = createServer();
  if (keepAliveTimeout !== undefined) server.keepAliveTimeout = keepAliveTimeout;
  const app = next({ dev: false, dir: process.cwd(), hostname: hostname ?? "localhost", port, httpServer: server });
  // Next's own start-up (config, instrumentation: the database, migrations, the delivery loop) before the first request
  await app.prepare();
  // loaded after Next.js set up its server environment (next/server needs its AsyncLocalStorage)
  const { serveDeviceReport } = await import("@/lib/devices/fast-path");
  const handle = app.getRequestHandler();
  const upgrade = app.getUpgradeHandler();
  server.on("request", (req, res) => {
    if (serveDeviceReport(req, res)) return;
    handle(req, res).catch((err) => {
      console.error(`[signalpost] Failed to handle request for ${req.url}:`, err);
      if (!res.headersSent) res.statusCode = 500;
      res.end();
    });
  });
  server.on("upgrade", (req, socket, head) => {
    upgrade(req, socket, head).catch(() => socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, hostname, () => resolve());
  });
  const address = server.address();
  const shown = typeof address === "object" && address ? `${address.address.includes(":") ? `[${address.address}]` : address.address}:${address.port}` : String(address);
  console.log(`[signalpost] Ready on http://${shown} (production; device reports on the fast path)`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    // stop taking connections, let Next close its work (as `next start` does), exit with the signal's code
    server.close();
    server.closeIdleConnections();
    const code = signal === "SIGINT" ? 130 : 143;
    const force = setTimeout(() => process.exit(code), 10_000);
    force.unref();
    app
      .close()
      .catch((err: unknown) => console.error("[signalpost] close:", err))
      .finally(() => process.exit(code));
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

if (process.env.VITEST === undefined) {
  main().catch((err) => {
    console.error("[signalpost] The server could not start:", err);
    process.exit(1);
  });
}
