import { sql } from "drizzle-orm";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as signalsRoute } from "@/app/api/v1/devices/[udid]/signals/route";
import { POST as statusRoute } from "@/app/api/v1/devices/[udid]/status/route";
import { queryRows, type Db } from "@/db/client";
import { orgs } from "@/db/schema";
import { resetDeviceRateLimits } from "@/lib/devices/api";
import { pendingKick } from "@/lib/delivery/kick";
import { makeDevice, subscribeAll } from "../devices/helpers";
import { useReliabilityDatabase } from "./support/db";

// Bad input at the device API: property-based fuzzing (fast-check) of POST /api/v1/devices/{udid}/status and
// /signals, through the exported route handlers with real Request objects. Every generated request is wrong in at
// least one way; each must get a 4xx JSON {"error":{"code","message"}} naming the problem, never a 500, and change
// nothing. (A request with a bad token for a known udid records one device.authentication.failed event per device
// per minute by design; that event is excluded from the comparison and its throttle is checked separately.)
type Route = typeof statusRoute;
const RUNS = 200;
const te = new TextEncoder();

/** One digest of everything a device request could change. */
async function stateDigest(db: Db): Promise<string> {
  const [row] = await queryRows<{ digest: string }>(
    db,
    sql`select md5(concat_ws('|',
          (select string_agg((to_jsonb(d) - 'auth_failure_event_at')::text, ',' order by id) from devices d),
          (select string_agg(to_jsonb(t)::text, ',' order by id) from device_tokens t),
          (select count(*) || ':' || coalesce(max(id), 0) from signals),
          (select count(*) || ':' || coalesce(max(id), '') from events where type <> 'device.authentication.failed'),
          (select count(*) from outbox o join events e on e.id = o.event_id where e.type <> 'device.authentication.failed'),
          (select count(*) from delivery_attempts a left join events e on e.id = a.event_id where e.type is distinct from 'device.authentication.failed'),
          (select count(*) from audit_log))) as digest`,
  );
  return row.digest;
}

type Case = { label: string; udid?: string; headers: Record<string, string>; body?: string | Uint8Array; expect: number[]; names?: string };

async function call(route: Route, udid: string, c: Case) {
  const u = c.udid ?? udid;
  const req = new Request(`http://localhost/api/v1/devices/${encodeURIComponent(u)}/x`, {
    method: "POST",
    headers: c.headers,
    body: c.body as BodyInit | undefined,
  });
  const res = await route(req, { params: Promise.resolve({ udid: encodeURIComponent(u) }) });
  const text = await res.text();
  let json: { error?: { code?: unknown; message?: unknown; fields?: Record<string, string[]> } } | null = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  return { status: res.status, contentType: res.headers.get("content-type") ?? "", json, text };
}

const VALID_STATUSES = ["online", "offline", "utilizing", "unplugged"];
const notAStatus = fc.oneof(
  fc.string().filter((s) => !VALID_STATUSES.includes(s)),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 3 }),
  fc.constant(1e308),
  fc.constant("ONLINE"),
);
const notAFirmware = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(""),
  fc.constant("   "),
  fc.string({ minLength: 65, maxLength: 300 }).filter((s) => s.trim().length > 64),
  fc.array(fc.integer(), { maxLength: 3 }),
);
const badSignalName = fc.oneof(
  fc.constant(""),
  fc.string({ minLength: 65, maxLength: 100 }),
  fc.string({ minLength: 1, maxLength: 20 }).filter((s) => !/^[A-Za-z0-9_.:/-]+$/.test(s)),
);
const notSignals = fc.oneof(
  fc.integer(),
  fc.string(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 3 }),
  badSignalName.map((n) => ({ [n]: 1 })),
  fc.integer({ min: 51, max: 80 }).map((n) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`s${i}`, i]))),
);

/** A body that is JSON but wrong in shape, naming the field that is wrong. */
const wrongShape: fc.Arbitrary<{ body: unknown; names: string }> = fc.oneof(
  notAStatus.map((status) => ({ body: { status }, names: "status" })),
  notAFirmware.map((firmwareVersion) => ({ body: { status: "online", firmwareVersion }, names: "firmwareVersion" })),
  notSignals.map((signals) => ({ body: { signals }, names: "signals" })),
  fc
    .string({ minLength: 1, maxLength: 20 })
    .filter((k) => !["status", "firmwareVersion", "signals", "__proto__"].includes(k))
    .map((k) => ({ body: { status: "online", [k]: 1 }, names: k })),
);

function jsonHeaders(token: string, extra: Record<string, string> = {}) {
  return { authorization: `Bearer ${token}`, "content-type": "application/json", ...extra };
}

/** Every way a request can be wrong; `valid` is a body the route would accept (for the header and udid cases). */
function statusCases(token: string, valid = `{"status":"online"}`): fc.Arbitrary<Case> {
  const h = jsonHeaders(token);
  return fc.oneof(
    // random bytes that are not JSON
    fc
      .string({ minLength: 1, maxLength: 200 })
      .filter((s) => {
        if (s.trim() === "") return false;
        try {
          JSON.parse(s);
          return false;
        } catch {
          return true;
        }
      })
      .map((s): Case => ({ label: "not JSON", headers: h, body: s, expect: [400] })),
    // JSON, but not an object
    fc
      .oneof(fc.integer(), fc.double({ noNaN: true }), fc.boolean(), fc.constant(null), fc.string(), fc.array(fc.jsonValue(), { maxLength: 4 }))
      .map((v): Case => ({ label: "not an object", headers: h, body: JSON.stringify(v), expect: [400] })),
    // an object of the wrong shape (wrong types, empty strings, unknown fields, too many signals)
    wrongShape.map(({ body, names }): Case => ({ label: "wrong shape", headers: h, body: JSON.stringify(body), expect: [400], names })),
    // numbers beyond a double: parse to Infinity
    fc
      .constantFrom(`{"status":1e999}`, `{"signals":{"t":1e999}}`, `{"signals":{"t":-1e999}}`, `{"status":"online","signals":{"big":${"9".repeat(400)}}}`)
      .map((b): Case => ({ label: "huge number", headers: h, body: b, expect: [400] })),
    // deep nesting
    fc
      .integer({ min: 200, max: 3_000 })
      .map((n): Case => ({ label: "deep nesting", headers: h, body: `{"signals":{"deep":${"[".repeat(n)}${"]".repeat(n)}}}`, expect: [400] })),
    // invalid UTF-8 inside an otherwise valid body
    fc
      .constantFrom([0xff], [0xfe, 0xfe], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0x80])
      .chain((bad) =>
        fc.constantFrom("firmwareVersion", "status", "signal").map((where): Case => {
          const parts =
            where === "firmwareVersion"
              ? [`{"status":"online","firmwareVersion":"2.`, `"}`]
              : where === "status"
                ? [`{"status":"onl`, `ine"}`]
                : [`{"signals":{"label":"a`, `b"}}`];
          return {
            label: "invalid UTF-8",
            headers: h,
            body: new Uint8Array([...te.encode(parts[0]), ...bad, ...te.encode(parts[1])]),
            expect: [400],
          };
        }),
      ),
    // 1 MB bodies, with and without an honest Content-Length
    fc.boolean().map((declare): Case => {
      const body = `{"status":"online","pad":"${"x".repeat(1024 * 1024)}"}`;
      return { label: "1 MB body", headers: declare ? { ...h, "content-length": String(body.length) } : h, body, expect: [413] };
    }),
    // not JSON content types, with a valid JSON body
    fc
      .constantFrom("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/jsonx", "json", "text/json", "application/xml")
      .map((ct): Case => ({ label: "content type", headers: { ...h, "content-type": ct }, body: valid, expect: [415] })),
    fc.constant<Case>({ label: "no content type", headers: { authorization: h.authorization }, body: valid, expect: [415] }),
    // missing or odd credentials
    fc
      .constantFrom<Record<string, string>[]>(
        {},
        { authorization: "" },
        { authorization: "Bearer" },
        { authorization: "Bearer " },
        { authorization: `Basic ${Buffer.from(`x:${token}`).toString("base64")}` },
        { authorization: `Bearer ${token}x` },
        { authorization: `Bearer ${token.slice(0, -1)}` },
        { authorization: `Bearer ${token} ${token}` },
        { authorization: `Token ${token}` },
        { authorization: "Bearer spd_" + "A".repeat(40) },
        { authorization: "Bearer " + "é".repeat(40) },
      )
      .map((auth): Case => ({ label: "credentials", headers: { "content-type": "application/json", ...auth }, body: valid, expect: [401] })),
    // the right token on another udid, or a udid that cannot exist
    fc
      .oneof(fc.constant("other-device"), fc.constant("x".repeat(65)), fc.constant("bad udid"), fc.constant("../status"), fc.string({ minLength: 1, maxLength: 10 }).filter((s) => s !== "fuzz-1"))
      .map((udid): Case => ({ label: "udid", udid, headers: h, body: valid, expect: [401] })),
  );
}

function signalsCases(token: string): fc.Arbitrary<Case> {
  const h = jsonHeaders(token);
  return fc.oneof(
    notSignals.map((signals): Case => ({ label: "signals shape", headers: h, body: JSON.stringify({ signals }), expect: [400], names: "signals" })),
    fc.constant<Case>({ label: "no signals", headers: h, body: `{}`, expect: [400], names: "signals" }),
    fc.constant<Case>({ label: "empty signals", headers: h, body: `{"signals":{}}`, expect: [400], names: "signals" }),
    fc.constant<Case>({ label: "status on signals", headers: h, body: `{"signals":{"a":1},"status":"online"}`, expect: [400], names: "status" }),
    statusCases(token, `{"signals":{"a":1}}`).filter((c) => c.label !== "wrong shape"),
  );
}

describe("bad input: fuzzing the device API", () => {
  const t = useReliabilityDatabase({ truncate: false });
  let token: string;
  const udid = "fuzz-1";
  const started = Date.now();
  beforeAll(async () => {
    const [org] = await t.db.insert(orgs).values({ slug: "fuzz", name: "Fuzz" }).returning();
    await subscribeAll(t.db, org.id);
    ({ token } = await makeDevice(t.db, org.id, udid));
    await makeDevice(t.db, org.id, "other-device");
  });
  afterAll(async () => {
    await pendingKick()?.catch(() => undefined);
  });

  const check = async (route: Route, c: Case) => {
    resetDeviceRateLimits(); // the fuzzer is not testing the rate limit
    const before = await stateDigest(t.db);
    const r = await call(route, udid, c);
    const after = await stateDigest(t.db);
    const where = `${c.label}: ${r.status} ${r.text.slice(0, 200)}`;
    expect(r.status, where).toBeGreaterThanOrEqual(400);
    expect(r.status, where).toBeLessThan(500);
    expect(c.expect, where).toContain(r.status);
    expect(r.contentType, where).toMatch(/^application\/json/);
    expect(typeof r.json?.error?.code, where).toBe("string");
    expect(typeof r.json?.error?.message, where).toBe("string");
    expect(String(r.json?.error?.message).length, where).toBeGreaterThan(5);
    if (c.names) {
      const named = `${r.json?.error?.message} ${JSON.stringify(r.json?.error?.fields ?? {})}`;
      expect(named, where).toContain(c.names.length > 30 ? c.names.slice(0, 30) : c.names);
    }
    expect(after, `${where}: the database changed`).toBe(before);
  };

  it("POST /status: random JSON, wrong types, huge numbers, deep nesting, invalid UTF-8, 1 MB bodies, odd headers → 4xx JSON naming the problem, no change", async () => {
    await fc.assert(fc.asyncProperty(statusCases(token), (c) => check(statusRoute, c)), { numRuns: RUNS });
  });

  it("POST /signals: the same and signal-specific garbage → 4xx JSON naming the problem, no change", async () => {
    await fc.assert(fc.asyncProperty(signalsCases(token), (c) => check(signalsRoute, c)), { numRuns: RUNS });
  });

  it("the fuzzing recorded device.authentication.failed at most once per device per minute, and a valid report still works", async () => {
    const minutes = Math.ceil((Date.now() - started) / 60_000) + 1;
    const rows = await queryRows<{ device_udid: string; n: number }>(
      t.db,
      sql`select device_udid, count(*)::int as n from events where type = 'device.authentication.failed' group by device_udid`,
    );
    for (const r of rows) expect(r.n).toBeLessThanOrEqual(minutes);
    resetDeviceRateLimits();
    const ok = await call(statusRoute, udid, { label: "valid", headers: jsonHeaders(token), body: `{"status":"online","firmwareVersion":"1.0"}`, expect: [200] });
    expect(ok.status).toBe(200);
  });
});
