import { createServer, request, type IncomingHttpHeaders, type Server } from "node:http";
import net from "node:net";
import type { AddressInfo } from "node:net";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { POST as signalsRoute } from "@/app/api/v1/devices/[udid]/signals/route";
import { POST as statusRoute } from "@/app/api/v1/devices/[udid]/status/route";
import { queryRows, type Db } from "@/db/client";
import { devices, events } from "@/db/schema";
import { pendingKick } from "@/lib/delivery/kick";
import { resetDeviceRateLimits } from "@/lib/devices/api";
import { serveDeviceReport } from "@/lib/devices/fast-path";
import { metrics } from "@/lib/metrics";
import { useTestDatabase } from "../support/db";
import { insertOrg, insertUser } from "../support/fixtures";
import { callDeviceRoute, makeDevice, subscribeAll } from "./helpers";

// The production server's fast path for POST /api/v1/devices/{udid}/status and /signals (lib/devices/fast-path.ts,
// mounted by scripts/server.ts), over a real HTTP server on 127.0.0.1: it must answer exactly as the Next route
// handlers do (same checks, statuses, bodies, headers), leave every other request to Next, and survive hostile
// clients (huge and chunked bodies, a client that hangs up mid-body) without recording anything.
const db = useTestDatabase();

let server: Server;
let port: number;
const fellThrough: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    if (serveDeviceReport(req, res)) return;
    fellThrough.push(`${req.method} ${req.url}`);
    req.resume();
    res.statusCode = 418;
    res.end("next");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  // the reports' kicked deliveries (to a closed port) finish before the database closes
  await pendingKick();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
beforeEach(() => {
  resetDeviceRateLimits();
  fellThrough.length = 0;
});

type Sent = { status: number; headers: IncomingHttpHeaders; text: string; json: unknown };

/** One HTTP request to the fast path's server; `chunks` are written one by one (chunked when no content-length). */
function send(path: string, opts: { method?: string; headers?: Record<string, string>; body?: string | Buffer; chunks?: (string | Buffer)[] } = {}): Promise<Sent> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, method: opts.method ?? "POST", headers: opts.headers, agent: false }, (res) => {
      const parts: Buffer[] = [];
      res.on("data", (c: Buffer) => parts.push(c));
      res.on("end", () => {
        const text = Buffer.concat(parts).toString("utf8");
        let json: unknown = null;
        try {
          json = JSON.parse(text);
        } catch {
          /* not JSON */
        }
        resolve({ status: res.statusCode!, headers: res.headers, text, json });
      });
    });
    // a server that answers before the body is sent (413) may close while we still write: that is fine
    req.on("error", (err: NodeJS.ErrnoException) => (err.code === "EPIPE" || err.code === "ECONNRESET" ? undefined : reject(err)));
    if (opts.chunks) for (const c of opts.chunks) req.write(c);
    req.end(opts.body);
  });
}

async function setup() {
  const user = await insertUser(db());
  const org = await insertOrg(db(), user.id);
  await subscribeAll(db(), org.id);
  const { device, token } = await makeDevice(db(), org.id, "fast-1");
  return { org, device, token };
}

const json = (token: string) => ({ authorization: `Bearer ${token}`, "content-type": "application/json" });

/** Everything a refused request could have changed (a wrong token's throttled device.authentication.failed aside). */
async function digest(d: Db) {
  const [row] = await queryRows<{ d: string }>(
    d,
    sql`select md5(concat_ws('|',
          (select string_agg((to_jsonb(x) - 'auth_failure_event_at')::text, ',' order by id) from devices x),
          (select count(*) from signals),
          (select count(*) from events where type <> 'device.authentication.failed'),
          (select count(*) from outbox o join events e on e.id = o.event_id where e.type <> 'device.authentication.failed'))) as d`,
  );
  return row.d;
}

describe("device fast path (production server)", () => {
  it("answers a status report as the route handler does: 200, the reply shape, the event, security headers", async () => {
    const { device, token } = await setup();
    const res = await send("/api/v1/devices/fast-1/status", { headers: json(token), body: `{"status":"online","firmwareVersion":"1.0.0"}` });
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toBe("application/json");
    expect(res.headers["x-content-type-options"]).toBe("nosniff");
    expect(res.headers["x-frame-options"]).toBe("DENY");
    expect(res.headers["content-security-policy"]).toBe("frame-ancestors 'none'");
    expect(res.json).toMatchObject({ udid: "fast-1", status: "online", changed: true });
    expect((res.json as { events: string[] }).events.length).toBeGreaterThan(0);
    const [row] = await db().select().from(devices).where(eq(devices.id, device.id));
    expect(row.status).toBe("online");
    expect(row.firmwareVersion).toBe("1.0.0");

    // the same report through the Next route handler: same shape, nothing new to say
    const viaNext = await callDeviceRoute(statusRoute, "fast-1", { token, body: { status: "online", firmwareVersion: "1.0.0" } });
    expect(viaNext.status).toBe(200);
    const again = await send("/api/v1/devices/fast-1/status", { headers: json(token), body: `{"status":"online","firmwareVersion":"1.0.0"}` });
    expect(Object.keys(again.json as object).sort()).toEqual(Object.keys(viaNext.json).sort());
    expect(again.json).toMatchObject({ changed: false, events: [] });
  });

  it("takes a heartbeat with no body and no content type, signals, and a query string", async () => {
    const { token } = await setup();
    expect((await send("/api/v1/devices/fast-1/status", { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    const signals = await send("/api/v1/devices/fast-1/signals?x=1", { headers: json(token), body: `{"signals":{"temperature":21.5}}` });
    expect(signals.status).toBe(200);
    const types = (await db().select({ type: events.type }).from(events)).map((e) => e.type);
    expect(types).toContain("device.telemetry");
  });

  it("leaves every other request to Next.js: other methods, paths, a trailing slash, deeper paths", async () => {
    const { token } = await setup();
    const paths = [
      ["GET", "/api/v1/devices/fast-1/status"],
      ["PUT", "/api/v1/devices/fast-1/status"],
      ["POST", "/api/v1/devices/fast-1/status/"],
      ["POST", "/api/v1/devices/fast-1/desired"],
      ["POST", "/api/v1/devices/a/b/status"],
      ["POST", "/api/v1/devices//status"],
      ["POST", "//api/v1/devices/fast-1/status"],
      ["POST", "/api/v1/devices/fast-1/statusx"],
      ["POST", "/api/v2/devices/fast-1/status"],
    ];
    for (const [method, path] of paths) {
      const res = await send(path, { method, headers: json(token), body: method === "GET" ? undefined : "{}" });
      expect(res.status, `${method} ${path}`).toBe(418);
    }
    expect(fellThrough).toHaveLength(paths.length);
  });

  it("refuses hostile input with the route handler's exact answer and changes nothing", async () => {
    const { token } = await setup();
    const before = await digest(db());
    const h = json(token);
    const cases: { label: string; udid?: string; headers: Record<string, string>; body?: string | Buffer; route?: "signals" }[] = [
      { label: "not JSON", headers: h, body: "{nope" },
      { label: "array", headers: h, body: "[1,2]" },
      { label: "wrong shape", headers: h, body: `{"status":"ONLINE"}` },
      { label: "unknown field", headers: h, body: `{"status":"online","extra":1}` },
      { label: "NUL byte", headers: h, body: `{"status":"online","firmwareVersion":"1.\\u0000"}` },
      { label: "lone surrogate", headers: h, body: `{"signals":{"a":"\\ud800"}}` },
      { label: "deep nesting", headers: h, body: `{"signals":{"d":${"[".repeat(500)}${"]".repeat(500)}}}` },
      { label: "invalid UTF-8", headers: h, body: Buffer.from([0x7b, 0x22, 0x73, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]) },
      { label: "text/plain", headers: { ...h, "content-type": "text/plain" }, body: `{"status":"online"}` },
      { label: "no token", headers: { "content-type": "application/json" }, body: `{"status":"online"}` },
      { label: "Basic auth", headers: { ...h, authorization: `Basic ${Buffer.from(`x:${token}`).toString("base64")}` }, body: "{}" },
      { label: "wrong token", headers: { ...h, authorization: `Bearer ${token.slice(0, -1)}x` }, body: "{}" },
      { label: "other udid", udid: "fast-2", headers: h, body: "{}" },
      { label: "bad udid", udid: "bad%20udid", headers: h, body: "{}" },
      { label: "broken escape", udid: "%E0%A4%A", headers: h, body: "{}" },
      { label: "1 MB declared", headers: h, body: `{"status":"online","pad":"${"x".repeat(1024 * 1024)}"}` },
      { label: "empty signals", headers: h, body: `{"signals":{}}`, route: "signals" },
    ];
    for (const c of cases) {
      resetDeviceRateLimits();
      const route = c.route ?? "status";
      const udid = c.udid ?? "fast-1";
      const fast = await send(`/api/v1/devices/${udid}/${route}`, { headers: c.headers, body: c.body });
      resetDeviceRateLimits();
      const req = new Request(`http://localhost/api/v1/devices/${udid}/${route}`, { method: "POST", headers: c.headers, body: c.body as BodyInit });
      const next = await (route === "signals" ? signalsRoute : statusRoute)(req, { params: Promise.resolve({ udid }) });
      expect(fast.status, c.label).toBe(next.status);
      expect(fast.status, c.label).toBeGreaterThanOrEqual(400);
      expect(fast.status, c.label).toBeLessThan(500);
      expect(fast.json, c.label).toEqual(await next.json());
      expect(fast.headers["www-authenticate"], c.label).toBe(next.headers.get("www-authenticate") ?? undefined);
    }
    expect(await digest(db())).toBe(before);
  });

  it("refuses a 1 MB chunked body (no Content-Length) after 16 KB without reading the rest, and closes the connection", async () => {
    const { token } = await setup();
    const before = await digest(db());
    const chunk = "x".repeat(64 * 1024);
    const res = await send("/api/v1/devices/fast-1/status", {
      headers: { ...json(token), "transfer-encoding": "chunked" },
      chunks: [`{"status":"online","pad":"`, ...Array.from({ length: 16 }, () => chunk)],
      body: `"}`,
    });
    expect(res.status).toBe(413);
    expect(res.json).toEqual({ error: { code: "payload_too_large", message: "The body is larger than 16 KB." } });
    expect(res.headers.connection).toBe("close");
    expect(await digest(db())).toBe(before);
  });

  it("a client that hangs up mid-body records nothing and the server keeps answering", async () => {
    const { token } = await setup();
    const before = await digest(db());
    await new Promise<void>((resolve) => {
      const socket = net.connect(port, "127.0.0.1", () => {
        socket.write(
          `POST /api/v1/devices/fast-1/status HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"status":"onl`,
        );
        setTimeout(() => socket.destroy(), 50);
      });
      socket.on("close", () => resolve());
      socket.on("error", () => undefined);
    });
    await new Promise((r) => setTimeout(r, 100));
    expect(await digest(db())).toBe(before);
    expect((await send("/api/v1/devices/fast-1/status", { headers: json(token), body: `{"status":"online"}` })).status).toBe(200);
  });

  it("limits failed authentications by the socket's address when no X-Forwarded-For is sent, as next start does", async () => {
    await setup();
    const prev = process.env.DEVICE_AUTH_FAILURES_PER_MINUTE;
    process.env.DEVICE_AUTH_FAILURES_PER_MINUTE = "3";
    resetDeviceRateLimits();
    try {
      const bad = { authorization: `Bearer spd_${"A".repeat(40)}`, "content-type": "application/json" };
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await send("/api/v1/devices/fast-1/status", { headers: bad, body: "{}" })).status);
      expect(statuses).toEqual([401, 401, 401, 429, 429]);
      const limited = await send("/api/v1/devices/fast-1/status", { headers: bad, body: "{}" });
      expect(Number(limited.headers["retry-after"])).toBeGreaterThan(0);
    } finally {
      if (prev === undefined) delete process.env.DEVICE_AUTH_FAILURES_PER_MINUTE;
      else process.env.DEVICE_AUTH_FAILURES_PER_MINUTE = prev;
      resetDeviceRateLimits();
    }
  });

  it("counts its answers in the status API metrics", async () => {
    const { token } = await setup();
    const count = async (code: string) => {
      const { values } = await metrics().statusRequests.get();
      return values.find((v) => v.metricName?.endsWith("_count") && v.labels.code === code)?.value ?? 0;
    };
    const ok = await count("200");
    const refused = await count("401");
    await send("/api/v1/devices/fast-1/status", { headers: json(token), body: `{"status":"online"}` });
    await send("/api/v1/devices/fast-1/status", { headers: { "content-type": "application/json" }, body: "{}" });
    expect(await count("200")).toBe(ok + 1);
    expect(await count("401")).toBe(refused + 1);
  });

  it("forty devices reporting at once all get their answer and their event", async () => {
    const user = await insertUser(db());
    const org = await insertOrg(db(), user.id);
    await subscribeAll(db(), org.id);
    const made = await Promise.all(Array.from({ length: 40 }, (_, i) => makeDevice(db(), org.id, `par-${i}`)));
    const answers = await Promise.all(
      made.map(({ device, token }) => send(`/api/v1/devices/${device.udid}/status`, { headers: json(token), body: `{"status":"online"}` })),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(40).fill(200));
    const online = await queryRows<{ n: number }>(db(), sql`select count(*)::int as n from events where type = 'device.status.online'`);
    expect(online[0].n).toBe(40);
  });
});
