/**
 * Device simulator: `npm run simulate -- --devices 20 --url http://localhost:3000`
 * (One script on purpose, just over 350 lines: flags, sign-in, device setup and the simulation loop read top to bottom.)
 *
 * Signs in to the portal as the demo user (next-auth credentials flow), creates or reuses devices sim-001…sim-N in
 * the user's org (regenerating the token of reused ones), then drives them through realistic status changes,
 * heartbeats, firmware updates and signals through the public device API, printing one line per change. It stops
 * after --duration seconds and only talks to the given URL (localhost unless --allow-remote).
 *
 * Desired state: when an answer carries `desired` (the portal wrote a config or a target firmware), the device
 * applies the config at once and acknowledges it in its next status report (`reported`); with a target firmware it
 * "flashes" it for --flash-seconds first and fails a --fail-share of the flashes (acknowledged as failed, not
 * retried).
 *
 * Options: --devices N (20) --url URL (http://localhost:3000) --duration S (300) --email/--password (demo user)
 *          --org SLUG (the user's first org) --offline-after S (60) --flash-seconds S (5) --fail-share F (0.1)
 *          --allow-remote
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
    "flash-seconds": { type: "string", default: "5" },
    "fail-share": { type: "string", default: "0.1" },
    "allow-remote": { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
  allowPositionals: false,
});

if (args.help) {
  console.log(
    "Usage: npm run simulate -- [--devices 20] [--url http://localhost:3000] [--duration 300] [--email …] [--password …] [--org slug] [--flash-seconds 5] [--fail-share 0.1] [--allow-remote]",
  );
  process.exit(0);
}

const DEVICE_COUNT = Math.max(1, Math.min(500, Number(args.devices) || 20));
const DURATION_MS = Math.max(1, Number(args.duration) || 300) * 1000;
const OFFLINE_AFTER = Math.max(30, Math.min(86_400, Number(args["offline-after"]) || 60));
const FLASH_MS = Math.max(0, Number(args["flash-seconds"]) || 0) * 1000;
const FAIL_SHARE = Math.max(0, Math.min(1, Number(args["fail-share"] ?? 0.1)));
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
  /** Highest desired version this device applied (or gave up on). */
  handledVersion: number;
  /** The config it runs (applied from `desired`). */
  config: Record<string, unknown>;
  /** A firmware flash in progress, for a desired version. */
  flash: { version: number; target: string; doneAt: number; fail: boolean } | null;
  /** The acknowledgement to send with the next status report. */
  ack: Ack | null;
  /** The portal manages this device's firmware (a target was set): no more spontaneous updates. */
  managedFirmware: boolean;
};

type Ack = { version: number; status: "applied" | "failed"; error?: string };
type Desired = { version: number; config: Record<string, unknown>; firmwareVersion: string | null };

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
      handledVersion: 0,
      config: {},
      flash: null,
      ack: null,
      managedFirmware: false,
    });
  }
  return out;
}

/**
 * Calls the device API; honours 429 Retry-After by skipping this device until then. A status report carries the
 * pending acknowledgement (`reported`); an answer's `desired` is applied.
 */
async function deviceCall(d: SimDevice, route: "status" | "signals", body: Record<string, unknown>) {
  const ack = route === "status" ? d.ack : null;
  const res = await fetch(new URL(`${prefix}/api/v1/devices/${encodeURIComponent(d.udid)}/${route}`, base.origin), {
    method: "POST",
    headers: { authorization: `Bearer ${d.token}`, "content-type": "application/json" },
    body: JSON.stringify(ack ? { ...body, reported: ack } : body),
  });
  const reply = (await res.json().catch(() => ({}))) as {
    status?: Status;
    changed?: boolean;
    events?: string[];
    desired?: Desired;
    error?: { message: string };
  };
  if (res.status === 429) d.nextBeatAt = Date.now() + Number(res.headers.get("retry-after") ?? 1) * 1000;
  else if (!res.ok) log(`${d.udid}  ${route} → HTTP ${res.status} ${reply.error?.message ?? ""}`);
  if (ack && (res.ok || res.status === 400)) {
    // sent (or refused for good: e.g. the portal's data was reset): do not send it again
    if (d.ack === ack) d.ack = null;
    if (res.ok) log(`${d.udid}  acknowledged version ${ack.version}: ${ack.status}${ack.error ? ` (${ack.error})` : ""}`);
  }
  if (res.ok && reply.desired) applyDesired(d, reply.desired);
  return { ok: res.ok, reply };
}

/** A new desired version: apply the config now; flash the target firmware first when it differs. */
function applyDesired(d: SimDevice, desired: Desired) {
  if (desired.version <= d.handledVersion || d.flash?.version === desired.version) return;
  d.config = desired.config;
  if (desired.firmwareVersion) d.managedFirmware = true;
  const names = Object.keys(desired.config);
  if (desired.firmwareVersion && desired.firmwareVersion !== d.firmware) {
    const fail = Math.random() < FAIL_SHARE;
    d.flash = { version: desired.version, target: desired.firmwareVersion, doneAt: Date.now() + FLASH_MS, fail };
    d.handledVersion = desired.version;
    log(`${d.udid}  desired version ${desired.version}: config applied (${names.join(", ") || "empty"}), flashing ${desired.firmwareVersion}…`);
    return;
  }
  d.handledVersion = desired.version;
  d.ack = { version: desired.version, status: "applied" };
  d.nextBeatAt = Math.min(d.nextBeatAt, Date.now() + 500);
  log(`${d.udid}  desired version ${desired.version}: config applied (${names.join(", ") || "empty"})`);
}

/** A flash that is done reports the new firmware (or the failure) with its acknowledgement at once. */
async function finishFlash(d: SimDevice, now: number): Promise<boolean> {
  const flash = d.flash;
  if (!flash || flash.doneAt > now) return false;
  d.flash = null;
  if (flash.fail) {
    d.ack = { version: flash.version, status: "failed", error: `flashing ${flash.target} failed: image checksum mismatch` };
    log(`${d.udid}  flashing ${flash.target} failed`);
    await deviceCall(d, "status", { firmwareVersion: d.firmware });
  } else {
    log(`${d.udid}  flashed ${d.firmware} → ${flash.target}`);
    d.firmware = flash.target;
    d.ack = { version: flash.version, status: "applied" };
    await deviceCall(d, "status", { firmwareVersion: d.firmware });
  }
  return true;
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
  if (d.silentUntil > now || (d.nextBeatAt > now && !(d.flash && d.flash.doneAt <= now))) return;
  if (d.silentUntil) {
    d.silentUntil = 0;
    log(`${d.udid}  connection restored`);
  }
  if (await finishFlash(d, now)) return;
  d.nextBeatAt = now + 2000 + Math.random() * 4000;
  if (d.ack) {
    // acknowledge a desired version right away
    await deviceCall(d, "status", { firmwareVersion: d.firmware });
    return;
  }
  const roll = Math.random();
  if (roll < 0.02 && d.status !== "offline") {
    // lose the connection for longer than the offline timeout: the presence sweep marks it offline
    d.silentUntil = now + (OFFLINE_AFTER + 10 + Math.random() * 30) * 1000;
    log(`${d.udid}  goes silent (presence sweep marks it offline after ${OFFLINE_AFTER} s)`);
    d.status = "offline";
    return;
  }
  if (roll < 0.04 && !d.flash && !d.managedFirmware) {
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
