/**
 * Device simulator: `npm run simulate -- --devices 20 --url http://localhost:3000`
 *
 * Signs in to the portal as the demo user (next-auth credentials flow), creates or reuses devices sim-001…sim-N in
 * the user's org (regenerating the token of reused ones), then drives them through realistic status changes,
 * heartbeats, firmware updates and signals through the public device API, printing one line per change. It stops
 * after --duration seconds and only talks to the given URL (localhost unless --allow-remote).
 *
 * Options: --devices N (20) --url URL (http://localhost:3000) --duration S (300) --email/--password (demo user)
 *          --org SLUG (the user's first org) --offline-after S (60) --allow-remote
 */
import { parseArgs } from "node:util";

type Status = "online" | "offline" | "utilizing" | "unplugged";

const { values: args } = parseArgs({
  options: {
    devices: { type: "string", default: "20" },
    url: { type: "string", default: "http://localhost:3000" },
    duration: { type: "string", default: "300" },
    email: { type: "string", default: "admin@example.com" },
    password: { type: "string", default: "signalpost" },
    org: { type: "string" },
    "offline-after": { type: "string", default: "60" },
    "allow-remote": { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
  allowPositionals: false,
});

if (args.help) {
  console.log("Usage: npm run simulate -- [--devices 20] [--url http://localhost:3000] [--duration 300] [--email …] [--password …] [--org slug] [--allow-remote]");
  process.exit(0);
}

const DEVICE_COUNT = Math.max(1, Math.min(500, Number(args.devices) || 20));
const DURATION_MS = Math.max(1, Number(args.duration) || 300) * 1000;
const OFFLINE_AFTER = Math.max(30, Math.min(86_400, Number(args["offline-after"]) || 60));
const base = new URL(args.url!);
/** Path prefix when the portal is served under a sub-path ("" at the root). */
const prefix = base.pathname.replace(/\/+$/, "");

const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);
if (!LOCAL_HOSTS.has(base.hostname) && !args["allow-remote"]) {
  console.error(`Refusing to simulate against ${base.origin}: not localhost. Pass --allow-remote if you mean it.`);
  process.exit(2);
}

const cookies = new Map<string, string>();
const stamp = () => new Date().toISOString().slice(11, 19);
const log = (msg: string) => console.log(`${stamp()}  ${msg}`);

function storeCookies(res: Response) {
  for (const line of res.headers.getSetCookie()) {
    const [pair] = line.split(";");
    const eq = pair.indexOf("=");
    if (eq > 0) cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
  }
}

const cookieHeader = () => [...cookies].map(([k, v]) => `${k}=${v}`).join("; ");

/** A request to the portal (only ever to --url), with the session cookies. */
async function portal(path: string, init: RequestInit = {}): Promise<Response> {
  const url = new URL(prefix + path, base.origin);
  const headers = new Headers(init.headers);
  if (cookies.size) headers.set("cookie", cookieHeader());
  const res = await fetch(url, { ...init, headers, redirect: "manual" });
  storeCookies(res);
  return res;
}

async function json<T>(res: Response, what: string): Promise<T> {
  const text = await res.text();
  if (!res.ok) throw new Error(`${what} failed: HTTP ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

/** next-auth credentials flow: CSRF token, then the callback with the session cookie set on the redirect. */
async function signIn(): Promise<void> {
  const { csrfToken } = await json<{ csrfToken: string }>(await portal("/api/auth/csrf"), "Fetching the CSRF token");
  const res = await portal("/api/auth/callback/credentials", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ csrfToken, email: args.email!, password: args.password!, callbackUrl: base.origin }),
  });
  const location = res.headers.get("location") ?? "";
  const hasSession = [...cookies.keys()].some((k) => k.includes("session-token"));
  if (!hasSession || /error=/.test(location)) {
    throw new Error(`Sign-in as ${args.email} failed (HTTP ${res.status}${location ? `, redirected to ${location}` : ""}). Check --email/--password.`);
  }
}

/** The org to use: --org, else the one the portal's home page sends the user to. */
async function findOrgSlug(): Promise<string> {
  if (args.org) return args.org;
  const res = await portal("/");
  const match = (res.headers.get("location") ?? "").match(/\/orgs\/([^/?#]+)/);
  if (match) return decodeURIComponent(match[1]);
  return "demo";
}

type SimDevice = {
  udid: string;
  token: string;
  status: Status;
  firmware: string;
  battery: number;
  temperature: number;
  /** Until when the device stays silent (simulating a lost connection); 0 = talking. */
  silentUntil: number;
  nextBeatAt: number;
};

async function prepareDevices(slug: string): Promise<SimDevice[]> {
  const existing = await json<{ devices: Array<{ id: number; udid: string; status: Status; firmwareVersion: string | null }> }>(
    await portal(`/api/orgs/${encodeURIComponent(slug)}/devices?q=sim-&limit=200`),
    "Listing devices",
  );
  const byUdid = new Map(existing.devices.map((d) => [d.udid, d]));
  const out: SimDevice[] = [];
  for (let i = 1; i <= DEVICE_COUNT; i++) {
    const udid = `sim-${String(i).padStart(3, "0")}`;
    const found = byUdid.get(udid);
    let token: string;
    if (found) {
      ({ token } = await json<{ token: string }>(
        await portal(`/api/orgs/${encodeURIComponent(slug)}/devices/${found.id}/token`, { method: "POST" }),
        `Regenerating the token of ${udid}`,
      ));
      log(`${udid}  reused (token regenerated)`);
    } else {
      const tags = ["simulator", i % 2 ? "lab-1" : "lab-2", i % 3 === 0 ? "android" : "ios"];
      ({ token } = await json<{ token: string }>(
        await portal(`/api/orgs/${encodeURIComponent(slug)}/devices`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ udid, name: `Simulated device ${String(i).padStart(3, "0")}`, tags, offlineAfterSeconds: OFFLINE_AFTER }),
        }),
        `Creating ${udid}`,
      ));
      log(`${udid}  created`);
    }
    out.push({
      udid,
      token,
      status: found?.status ?? "offline",
      firmware: found?.firmwareVersion ?? `1.${i % 4}.0`,
      battery: 50 + Math.floor(Math.random() * 50),
      temperature: 20 + Math.random() * 10,
      silentUntil: 0,
      nextBeatAt: Date.now() + Math.random() * 3000,
    });
  }
  return out;
}

/** Calls the device API; honours 429 Retry-After by skipping this device until then. */
async function deviceCall(d: SimDevice, route: "status" | "signals", body: unknown) {
  const res = await fetch(new URL(`${prefix}/api/v1/devices/${encodeURIComponent(d.udid)}/${route}`, base.origin), {
    method: "POST",
    headers: { authorization: `Bearer ${d.token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const reply = (await res.json().catch(() => ({}))) as { status?: Status; changed?: boolean; events?: string[]; error?: { message: string } };
  if (res.status === 429) d.nextBeatAt = Date.now() + Number(res.headers.get("retry-after") ?? 1) * 1000;
  else if (!res.ok) log(`${d.udid}  ${route} → HTTP ${res.status} ${reply.error?.message ?? ""}`);
  return { ok: res.ok, reply };
}

const pick = <T,>(items: Array<[T, number]>): T => {
  const total = items.reduce((a, [, w]) => a + w, 0);
  let r = Math.random() * total;
  for (const [item, w] of items) if ((r -= w) <= 0) return item;
  return items[items.length - 1][0];
};

function nextStatus(current: Status): Status {
  switch (current) {
    case "offline":
      return pick([["online", 8], ["unplugged", 1], ["utilizing", 1]]);
    case "online":
      return pick([["utilizing", 5], ["unplugged", 2], ["offline", 1]]);
    case "utilizing":
      return pick([["online", 6], ["unplugged", 1], ["offline", 1]]);
    case "unplugged":
      return pick([["online", 6], ["offline", 2]]);
  }
}

const bumpFirmware = (v: string) => {
  const parts = v.split(".").map((p) => Number(p) || 0);
  while (parts.length < 3) parts.push(0);
  parts[2]++;
  return parts.join(".");
};

async function step(d: SimDevice, now: number) {
  if (d.silentUntil > now || d.nextBeatAt > now) return;
  if (d.silentUntil) {
    d.silentUntil = 0;
    log(`${d.udid}  connection restored`);
  }
  d.nextBeatAt = now + 2000 + Math.random() * 4000;
  const roll = Math.random();
  if (roll < 0.02 && d.status !== "offline") {
    // lose the connection for longer than the offline timeout: the presence sweep marks it offline
    d.silentUntil = now + (OFFLINE_AFTER + 10 + Math.random() * 30) * 1000;
    log(`${d.udid}  goes silent (presence sweep marks it offline after ${OFFLINE_AFTER} s)`);
    d.status = "offline";
    return;
  }
  if (roll < 0.04) {
    const to = bumpFirmware(d.firmware);
    const { ok, reply } = await deviceCall(d, "status", { firmwareVersion: to });
    if (ok) {
      log(`${d.udid}  firmware ${d.firmware} → ${to}${reply.events?.length ? ` (${reply.events.length} event)` : ""}`);
      d.firmware = to;
      if (reply.status) d.status = reply.status;
    }
    return;
  }
  if (roll < 0.2) {
    const to = nextStatus(d.status);
    const { ok, reply } = await deviceCall(d, "status", { status: to, firmwareVersion: d.firmware });
    if (ok) {
      log(`${d.udid}  ${d.status} → ${to}  events: ${reply.events?.length ?? 0}`);
      d.status = reply.status ?? to;
    }
    return;
  }
  if (roll < 0.35) {
    d.battery = d.status === "unplugged" ? Math.max(0, d.battery - 3) : Math.min(100, d.battery + 2);
    d.temperature = Math.round((d.temperature + (Math.random() - 0.5)) * 10) / 10;
    const { ok } = await deviceCall(d, "signals", { signals: { battery: d.battery, temperature: d.temperature } });
    if (ok) log(`${d.udid}  signals battery=${d.battery} temperature=${d.temperature}`);
    return;
  }
  // heartbeat: keeps presence fresh; an offline device that beats comes back online
  const { ok, reply } = await deviceCall(d, "status", {});
  if (ok && reply.changed) log(`${d.udid}  heartbeat: ${d.status} → ${reply.status}`);
  if (ok && reply.status) d.status = reply.status;
}

async function main() {
  log(`Signing in to ${base.origin} as ${args.email}`);
  await signIn();
  const slug = await findOrgSlug();
  log(`Organization: ${slug}; preparing ${DEVICE_COUNT} devices`);
  const devices = await prepareDevices(slug);
  // bring every device online first
  for (const d of devices) {
    const { ok, reply } = await deviceCall(d, "status", { status: "online", firmwareVersion: d.firmware });
    if (ok && reply.changed) log(`${d.udid}  ${d.status} → online  events: ${reply.events?.length ?? 0}`);
    if (ok) d.status = "online";
  }
  const deadline = Date.now() + DURATION_MS;
  let stopping = false;
  process.on("SIGINT", () => {
    stopping = true;
  });
  log(`Driving ${devices.length} devices for ${DURATION_MS / 1000} s (Ctrl-C to stop). Watch ${base.origin}/orgs/${slug}/devices`);
  while (!stopping && Date.now() < deadline) {
    const now = Date.now();
    await Promise.all(devices.map((d) => step(d, now).catch((err: Error) => log(`${d.udid}  error: ${err.message}`))));
    await new Promise((r) => setTimeout(r, 500));
  }
  log("Simulation finished.");
}

main().catch((err: Error) => {
  const cause = (err as Error & { cause?: { message?: string } }).cause;
  console.error(`simulate: ${err.message}${cause?.message ? ` (${cause.message})` : ""}`);
  process.exit(1);
});
