import fc from "fast-check";
import { eq, sql } from "drizzle-orm";
import type { NextRequest } from "next/server";
import { beforeEach, describe, expect, it } from "vitest";
import { queryRows } from "@/db/client";
import { devices, events } from "@/db/schema";
import * as signalsRoute from "@/app/api/orgs/[slug]/devices/[deviceId]/signals/route";
import * as exportRoute from "@/app/api/orgs/[slug]/devices/[deviceId]/signals/export/route";
import * as statusRoute from "@/app/api/v1/devices/[udid]/status/route";
import { resetDeviceRateLimits } from "@/lib/devices/api";
import { numericSignalSeries, textSignalSeries } from "@/lib/fleet/signals";
import { callDeviceRoute, makeDevice } from "../devices/helpers";
import { useTestDatabase } from "../support/db";
import { twoOrgs } from "../support/fixtures";
import { actAs } from "../support/session";

const db = useTestDatabase();
beforeEach(() => resetDeviceRateLimits());

const T0 = Date.parse("2026-11-30T00:00:00.000Z");

async function insertSignals(orgId: number, deviceId: number, name: string, rows: Array<{ at: number; value: unknown }>) {
  for (const r of rows) {
    await queryRows(
      db(),
      sql`insert into signals (org_id, device_id, name, value, received_at)
          values (${orgId}, ${deviceId}, ${name}, ${JSON.stringify(r.value)}::jsonb, ${new Date(r.at).toISOString()}::timestamptz)`,
    );
  }
}

async function get(route: typeof signalsRoute | typeof exportRoute, slug: string, deviceId: number | string, query: string) {
  const res = await route.GET(new Request(`http://localhost/api/orgs/${slug}/devices/${deviceId}/signals?${query}`) as unknown as NextRequest, {
    params: Promise.resolve({ slug, deviceId: String(deviceId) }),
  });
  return res;
}

describe("signal charts: server-side downsampling", () => {
  it("never returns more than N points, keeps the range's min, max, last and count", async () => {
    const { orgA } = await twoOrgs(db());
    const { device } = await makeDevice(db(), orgA.id, "chart-1");
    const SPAN = 3_600_000;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ at: fc.integer({ min: 0, max: SPAN - 1 }), value: fc.integer({ min: -100_000_000, max: 100_000_000 }).map((n) => n / 100) }), {
          minLength: 1,
          maxLength: 60,
        }),
        fc.integer({ min: 2, max: 40 }),
        async (raw, n) => {
          await queryRows(db(), sql`delete from signals`);
          // distinct times, so "last" is unambiguous
          const rows = [...new Map(raw.map((r) => [r.at, r])).values()].map((r) => ({ at: T0 + r.at, value: r.value }));
          // a string sample of the same signal is ignored by the numeric chart
          await insertSignals(orgA.id, device.id, "temp", [...rows, { at: T0 + 5, value: "n/a" }]);
          const s = await numericSignalSeries(db(), orgA.id, device.id, "temp", new Date(T0), new Date(T0 + SPAN), n);
          expect(s.points.length).toBeLessThanOrEqual(n);
          const values = rows.map((r) => r.value);
          const last = rows.reduce((a, b) => (b.at > a.at ? b : a));
          expect(s.stats!.min).toBe(Math.min(...values));
          expect(s.stats!.max).toBe(Math.max(...values));
          expect(s.stats!.last).toBe(last.value);
          expect(s.stats!.count).toBe(rows.length);
          // every point lies in the range, in order, and its bucket's raw values are within its min/max
          for (let i = 0; i < s.points.length; i++) {
            const p = s.points[i];
            expect(p.t).toBeGreaterThanOrEqual(T0);
            expect(p.t).toBeLessThan(T0 + SPAN);
            if (i > 0) expect(p.t).toBeGreaterThan(s.points[i - 1].t);
            const inBucket = rows.filter((r) => r.at >= p.t && r.at < p.t + s.stepMs).map((r) => r.value);
            expect(p.min).toBe(Math.min(...inBucket));
            expect(p.max).toBe(Math.max(...inBucket));
          }
        },
      ),
      { numRuns: 25 },
    );
  });

  it("shows a non-numeric signal as a timeline of changes, at most N of them (the newest)", async () => {
    const { orgA } = await twoOrgs(db());
    const { device } = await makeDevice(db(), orgA.id, "chart-2");
    const states = ["idle", "idle", "busy", "busy", "idle", "charging", "charging", "idle"];
    await insertSignals(orgA.id, device.id, "state", states.map((v, i) => ({ at: T0 + i * 1000, value: v })));
    const all = await textSignalSeries(db(), orgA.id, device.id, "state", new Date(T0), new Date(T0 + 60_000), 10);
    expect(all.changes.map((c) => c.value)).toEqual(["idle", "busy", "idle", "charging", "idle"]);
    expect(all.truncated).toBe(false);
    const two = await textSignalSeries(db(), orgA.id, device.id, "state", new Date(T0), new Date(T0 + 60_000), 2);
    expect(two.changes.map((c) => c.value)).toEqual(["charging", "idle"]);
    expect(two.truncated).toBe(true);
  });
});

describe("signals routes", () => {
  it("last-known values, a chart, a timeline and a CSV export for a member; nothing for another org", async () => {
    const { orgA, memberA, ownerB } = await twoOrgs(db());
    const { device, token } = await makeDevice(db(), orgA.id, "sig-1");
    for (const [battery, state] of [[80, "idle"], [75, "busy"], [70, "busy"]] as const) {
      const res = await callDeviceRoute(statusRoute.POST, "sig-1", { token, body: { status: "online", signals: { battery, state } } });
      expect(res.status).toBe(200);
    }
    actAs(memberA.id);
    const latest = await (await get(signalsRoute, "org-a", device.id, "")).json();
    expect(latest.signals).toEqual([
      { name: "battery", value: 70, at: expect.any(String) },
      { name: "state", value: "busy", at: expect.any(String) },
    ]);
    const chart = await (await get(signalsRoute, "org-a", device.id, "name=battery&range=1h&points=10")).json();
    expect(chart).toMatchObject({ kind: "numeric", stats: { min: 70, max: 80, last: 70, count: 3 } });
    expect(chart.points.length).toBeLessThanOrEqual(10);
    const timeline = await (await get(signalsRoute, "org-a", device.id, "name=state&range=24h")).json();
    expect(timeline.kind).toBe("text");
    expect(timeline.changes.map((c: { value: string }) => c.value)).toEqual(["idle", "busy"]);
    const csvRes = await get(exportRoute, "org-a", device.id, "range=1h");
    expect(csvRes.status).toBe(200);
    expect(csvRes.headers.get("content-type")).toContain("text/csv");
    const csv = (await csvRes.text()).trim().split("\n");
    expect(csv[0]).toBe("received_at,name,value");
    expect(csv).toHaveLength(7);
    expect(csv.filter((l) => l.includes(",battery,")).map((l) => l.split(",")[2])).toEqual(["80", "75", "70"]);
    // a value a spreadsheet would run as a formula is defused
    await insertSignals(orgA.id, device.id, "note", [{ at: Date.now() - 1000, value: "=HYPERLINK(\"http://x\")" }, { at: Date.now() - 900, value: -3 }]);
    const notes = (await (await get(exportRoute, "org-a", device.id, "range=1h&name=note")).text()).trim().split("\n");
    expect(notes.slice(1).map((l) => l.slice(l.indexOf(",note,") + 6))).toEqual(['"\'=HYPERLINK(""http://x"")"', "-3"]);

    actAs(ownerB.id);
    for (const route of [signalsRoute, exportRoute]) {
      const viaA = await get(route, "org-a", device.id, "name=battery&range=1h");
      expect(viaA.status).toBe(404);
      const viaB = await get(route, "org-b", device.id, "name=battery&range=1h");
      expect(viaB.status).toBe(404);
      expect(await viaB.text()).not.toContain("battery,");
    }
  });

  it("streams a large export in batches, in order, with every row", async () => {
    const { orgA, memberA } = await twoOrgs(db());
    const { device } = await makeDevice(db(), orgA.id, "sig-big");
    await queryRows(
      db(),
      sql`insert into signals (org_id, device_id, name, value, received_at)
          select ${orgA.id}, ${device.id}, 'n', to_jsonb(g), ${new Date(T0).toISOString()}::timestamptz + (g || ' milliseconds')::interval
          from generate_series(1, 4500) g`,
    );
    actAs(memberA.id);
    const res = await get(exportRoute, "org-a", device.id, `range=custom&from=${new Date(T0).toISOString()}&to=${new Date(T0 + 86_400_000).toISOString()}`);
    const lines = (await res.text()).trim().split("\n");
    expect(lines).toHaveLength(4501);
    expect(lines.slice(1).map((l) => Number(l.split(",")[2]))).toEqual(Array.from({ length: 4500 }, (_, i) => i + 1));
  });

  it("answers hostile queries with a 400 naming the field, never a 500", async () => {
    const { orgA, memberA } = await twoOrgs(db());
    const { device } = await makeDevice(db(), orgA.id, "sig-2");
    actAs(memberA.id);
    const cases: Array<[string, string]> = [
      ["name=battery&points=0", "points"],
      ["name=battery&points=100000", "points"],
      ["name=battery&points=abc", "points"],
      ["name=battery&range=5y", "range"],
      ["name=battery&range=custom", "from"],
      ["name=battery&range=custom&from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", "to"],
      ["name=battery&range=custom&from=yesterday&to=2026-01-01T00:00:00Z", "from"],
      ["name=battery&range=custom&from=2000-01-01T00:00:00Z&to=2026-01-01T00:00:00Z", "to"],
      ["name=%27%3B%20drop%20table%20signals%3B--", "name"],
    ];
    for (const [query, field] of cases) {
      const res = await get(signalsRoute, "org-a", device.id, query);
      expect(res.status, query).toBe(400);
      expect((await res.json()).error.fields[field], query).toBeDefined();
    }
    for (const id of ["abc", "-1", "99999999999", "1e3"]) {
      expect((await get(signalsRoute, "org-a", id, "")).status).toBe(404);
    }
  });
});

describe("contact: client address and last-known signals", () => {
  it("stores the last contact's address, puts it in device.status.online as data.ip, and merges last signals", async () => {
    const { orgA } = await twoOrgs(db());
    const { device, token } = await makeDevice(db(), orgA.id, "ip-1");
    const post = (body: unknown, ip: string) =>
      callDeviceRoute(statusRoute.POST, "ip-1", { token, body, headers: { "x-forwarded-for": ip } });
    expect((await post({ status: "online", signals: { battery: 90, ssid: "lab" } }, "198.51.100.4")).status).toBe(200);
    const [row] = await db().select().from(devices).where(eq(devices.id, device.id));
    expect(row.lastContactIp).toBe("198.51.100.4");
    const [online] = await db().select().from(events).where(eq(events.type, "device.status.online"));
    expect(online.payload).toMatchObject({ previousStatus: "offline", status: "online", ip: "198.51.100.4" });
    // the device moves: the new address is stored; signals merge (ssid kept, battery updated)
    expect((await post({ status: "offline" }, "198.51.100.4")).status).toBe(200);
    expect((await post({ status: "online", signals: { battery: 40 } }, "203.0.113.9")).status).toBe(200);
    const [after] = await db().select().from(devices).where(eq(devices.id, device.id));
    expect(after.lastContactIp).toBe("203.0.113.9");
    expect(Object.fromEntries(Object.entries(after.lastSignals ?? {}).map(([k, v]) => [k, v.v]))).toEqual({ battery: 40, ssid: "lab" });
    const onlines = await db().select().from(events).where(eq(events.type, "device.status.online")).orderBy(events.id);
    expect(onlines.map((e) => e.payload.ip)).toEqual(["198.51.100.4", "203.0.113.9"]);
  });
});
