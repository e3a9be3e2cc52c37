import fs from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { NextRequest } from "next/server";
import { queryRows } from "@/db/client";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { truncateAll } from "../support/db";
import { startReceiver, type Receiver } from "../support/receiver";
import { actAs } from "../support/session";
import { ACTION_INPUTS, ACTION_MODULES, FALLBACK_INPUT, NOT_ORG_SCOPED, OWN_SETTINGS, loadActions } from "./support/action-inputs";
import { snapshotDatabase, useReliabilityDatabase } from "./support/db";
import { seedTenants, type Tenant, type Tenants } from "./support/tenants";

// Security matrix: EVERY exported server action of lib/actions/*.ts, every route handler under app/api/orgs/** and
// every page and layout under app/orgs/[slug]/** (found by listing them, so a new one is covered automatically):
//  (a) org B's owner acting on org A's slug and ids is refused and changes nothing; with B's own slug and A's ids too;
//  (b) org A's `member` is refused for every write;
//  (c) nothing of org A appears in org B's responses.
// Each refusal is checked against a full dump of the database (every table) taken before and after, and each
// action's input is first shown to work for org A's owner, so the refusals are not vacuous. (rate_limits is left out
// of the comparison: a refused call may count against the caller's own limits, e.g. test events per org.)
const SKIP = ["rate_limits"];
// Pages are called outside a Next request here; the inbox page reads the request's host for its URLs.
vi.mock("next/headers", async (importOriginal) => ({
  ...(await importOriginal<typeof import("next/headers")>()),
  headers: async () => new Headers({ host: "signalpost.test" }),
}));
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");
const actions = await loadActions();
const orgActions = actions.filter((a) => !(a.name in NOT_ORG_SCOPED));

type Outcome = { ok: boolean; message?: string; redirected?: boolean };
async function run(fn: (prev: unknown, input: unknown) => Promise<unknown>, input: unknown): Promise<Outcome> {
  try {
    const state = (await fn(null, input)) as { ok: boolean; message?: string } | null;
    return { ok: Boolean(state?.ok), message: state?.message };
  } catch (err) {
    // a successful action may end in redirect(), which Next implements as a thrown NEXT_REDIRECT
    if (String((err as { digest?: string }).digest ?? "").startsWith("NEXT_REDIRECT")) return { ok: true, redirected: true };
    throw err;
  }
}

type Found = { file: string; route: string; segments: string[] };

/** The files called one of `names` under `dir`, each with its route (`toRoute`) and that route's dynamic segments. */
function filesUnder(dir: string, names: string[], toRoute: (file: string) => string): Found[] {
  const out: Found[] = [];
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (names.includes(entry.name)) {
        const route = toRoute(p);
        out.push({ file: p, route, segments: [...route.matchAll(/\[([^\]]+)\]/g)].map((m) => m[1]) });
      }
    }
  };
  walk(dir);
  return out.sort((x, y) => x.route.localeCompare(y.route));
}

/** Every route file under app/api/orgs. */
function orgRoutes(): Found[] {
  const base = path.join(root, "app/api/orgs");
  return filesUnder(base, ["route.ts"], (p) => `/api/orgs/${path.relative(base, path.dirname(p))}`);
}

function paramsFor(segments: string[], slug: string, ids: Tenant & { requestId: number }): Record<string, string> {
  const map: Record<string, string> = {
    slug,
    deviceId: String(ids.deviceId),
    id: String(ids.deliveryId),
    inboxId: String(ids.inboxId),
    requestId: String(ids.requestId),
  };
  const out: Record<string, string> = {};
  for (const s of segments) {
    if (!(s in map)) throw new Error(`no test value for route segment [${s}]: add it to paramsFor`);
    out[s] = map[s];
  }
  return out;
}

/** Every page and layout under app/orgs/[slug] (the portal's HTML). */
function orgPages(): Found[] {
  const base = path.join(root, "app/orgs/[slug]");
  return filesUnder(base, ["page.tsx", "layout.tsx"], (p) => `/orgs/[slug]/${path.relative(base, p).replace(/\.tsx$/, "")}`);
}

/** A page's params: `[id]` is the webhook under webhooks/, the delivery under deliveries/. */
function pageParams(route: string, segments: string[], slug: string, ids: Tenant): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of segments) {
    if (s === "slug") out[s] = slug;
    else if (s === "deviceId") out[s] = String(ids.deviceId);
    else if (s === "id" && route.includes("/webhooks/[id]")) out[s] = String(ids.webhookId);
    else if (s === "id" && route.includes("/deliveries/[id]")) out[s] = String(ids.deliveryId);
    else if (s === "id" && route.includes("/events/[id]")) out[s] = ids.eventId;
    else if (s === "id" && route.includes("/emails/[id]")) out[s] = String(ids.emailId);
    else throw new Error(`no test value for page segment [${s}] of ${route}: add it to pageParams`);
  }
  return out;
}

type PageOutcome = { kind: "rendered"; text: string } | { kind: "not-found" } | { kind: "redirect"; to: string };
/**
 * Calls a page or layout as Next would (params as a promise) and classifies the result: notFound() and redirect()
 * are thrown with a digest; a rendered page is a React element tree, whose strings and props (what the page hands
 * to its components, i.e. what reaches the browser) are collected as text.
 */
async function callPage(fn: (props: object) => unknown, params: Record<string, string>): Promise<PageOutcome> {
  try {
    const tree = await fn({ params: Promise.resolve(params), children: null, searchParams: Promise.resolve({}) });
    return { kind: "rendered", text: treeText(tree) };
  } catch (err) {
    const digest = String((err as { digest?: string }).digest ?? "");
    if (digest === "NEXT_HTTP_ERROR_FALLBACK;404") return { kind: "not-found" };
    if (digest.startsWith("NEXT_REDIRECT")) return { kind: "redirect", to: digest.split(";")[2] ?? "" };
    throw err;
  }
}

function treeText(node: unknown): string {
  const parts: string[] = [];
  const seen = new Set<object>();
  const visit = (v: unknown) => {
    if (v === null || v === undefined || typeof v === "boolean" || typeof v === "function" || typeof v === "symbol") return;
    if (typeof v !== "object") return void parts.push(String(v));
    if (seen.has(v)) return;
    seen.add(v);
    if (v instanceof Date) return void parts.push(v.toISOString());
    for (const value of Array.isArray(v) ? v : Object.values(v as Record<string, unknown>)) visit(value);
  };
  visit(node);
  return parts.join("\n");
}

type Handler = (req: NextRequest, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;
async function callRoute(handler: Handler, method: string, route: string, params: Record<string, string>) {
  const url = `http://localhost${route.replace(/\[([^\]]+)\]/g, (_, k) => params[k])}`;
  const req =
    method === "GET"
      ? new NextRequest(url)
      : new NextRequest(url, { method, body: JSON.stringify({ udid: "matrix-route-device", name: "x" }), headers: { "content-type": "application/json" } });
  const res = await handler(req, { params: Promise.resolve(params) });
  return { status: res.status, text: await res.text(), contentType: res.headers.get("content-type") ?? "" };
}

describe("security matrix: tenancy and roles for every server action and org route", () => {
  const t = useReliabilityDatabase({ truncate: false });
  let receiver: Receiver;
  let tenants: Tenants & { A: Tenant & { requestId: number }; B: Tenant & { requestId: number } };
  const seed = async () => {
    await truncateAll(t.db);
    const seeded = await seedTenants(t.db, receiver.url);
    const requestId = async (x: Tenant) => {
      const [r] = await queryRows<{ id: number }>(
        t.db,
        sql`insert into inbox_requests (org_id, inbox_id, method, path, headers, body) values (${x.orgId}, ${x.inboxId}, 'POST', '/', '{}'::jsonb, ${`${x.udid} captured body`}) returning id`,
      );
      return Number(r.id);
    };
    tenants = { ...seeded, A: { ...seeded.A, requestId: await requestId(seeded.A) }, B: { ...seeded.B, requestId: await requestId(seeded.B) } };
  };
  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(async () => {
    actAs(null);
    await receiver.close();
  });

  it("finds every action module, every org route and every org page", () => {
    const onDisk = fs.readdirSync(path.join(root, "lib/actions")).filter((f) => f.endsWith(".ts")).map((f) => f.replace(/\.ts$/, ""));
    expect(onDisk.sort()).toEqual([...ACTION_MODULES].sort());
    expect(orgActions.length).toBeGreaterThanOrEqual(21);
    const untabled = orgActions.filter((a) => !ACTION_INPUTS[a.name]).map((a) => a.name);
    if (untabled.length) console.log(`[reliability] actions without a realistic input row (fallback used): ${untabled.join(", ")}`);
    expect(orgRoutes().length).toBeGreaterThanOrEqual(8);
    expect(orgPages().length).toBeGreaterThanOrEqual(16);
  });

  describe.each(orgActions.map((a) => [a.name, a] as const))("server action %s", (name, action) => {
    const spec = ACTION_INPUTS[name] ?? FALLBACK_INPUT;
    beforeEach(seed);

    it("is refused for another org's owner, another org's ids, org A's member and the signed-out, changing nothing", async () => {
      const { A, B } = tenants;
      const before = await snapshotDatabase(t.db, {}, SKIP);
      const attempts: [string, number | null, unknown][] = [
        ["org B's owner on org A", tenants.ownerB.id, spec.build(A.slug, A, tenants, receiver.url)],
        ["org A's member", tenants.memberA.id, spec.build(A.slug, A, tenants, receiver.url)],
        ["signed out", null, spec.build(A.slug, A, tenants, receiver.url)],
      ];
      if (spec.refersToIds) attempts.push(["org B's owner with org A's ids", tenants.ownerB.id, spec.build(B.slug, A, tenants, receiver.url)]);
      for (const [who, userId, input] of attempts) {
        actAs(userId);
        const ownTable = OWN_SETTINGS[name];
        if (ownTable && userId === tenants.memberA.id) {
          // a member's own settings: allowed, and only the caller's own row of that table changes
          const r = await run(action.fn, input);
          expect(r.ok, `${name}: org A's member on their own settings (${r.message})`).toBe(true);
          expect(await snapshotDatabase(t.db, {}, [...SKIP, ownTable]), `${name}: org A's member changed more than their own settings`).toEqual(
            (({ [ownTable]: _own, ...rest }) => rest)(before),
          );
          const rows = await queryRows<{ org_id: number; user_id: number }>(t.db, sql`select org_id, user_id from ${sql.identifier(ownTable)}`);
          expect(rows.map((x) => [Number(x.org_id), Number(x.user_id)])).toEqual([[A.orgId, tenants.memberA.id]]);
          await t.db.execute(sql`delete from ${sql.identifier(ownTable)}`);
          continue;
        }
        const r = await run(action.fn, input);
        expect(r.ok, `${name}: ${who} was not refused (${r.message})`).toBe(false);
        expect(r.message, `${name}: ${who} got no message`).toBeTruthy();
        // nothing of org A leaks through the refusal's message
        for (const m of A.markers) expect(r.message).not.toContain(m);
        expect(await snapshotDatabase(t.db, {}, SKIP), `${name}: ${who} changed the database`).toEqual(before);
      }
      // the same input works for org A's owner (the refusals above are real refusals, not bad input)
      if (ACTION_INPUTS[name]) {
        actAs(tenants.ownerA.id);
        const r = await run(action.fn, spec.build(A.slug, A, tenants, receiver.url));
        expect(r.ok, `${name}: org A's owner should succeed (${r.message})`).toBe(true);
      }
      actAs(null);
    });
  });

  describe.each(orgRoutes().map((r) => [r.route, r] as const))("route %s", (route, info) => {
    beforeAll(seed);

    it("refuses other orgs and the signed-out, refuses writes to a member, and shows org B nothing of org A", async () => {
      const mod = (await import(/* @vite-ignore */ info.file)) as Record<string, unknown>;
      const methods = ["GET", "POST", "PUT", "PATCH", "DELETE"].filter((m) => typeof mod[m] === "function");
      expect(methods.length).toBeGreaterThan(0);
      const { A, B } = tenants;
      for (const method of methods) {
        const handler = mod[method] as Handler;
        const before = await snapshotDatabase(t.db, {}, SKIP);
        const where = `${method} ${route}`;
        const noneOfA = (text: string, who: string) => {
          for (const m of A.markers) expect(text, `${where}: ${who} saw "${m}"`).not.toContain(m);
        };
        // (a) org B's owner on org A's slug and ids: 404 as for any non-member
        actAs(tenants.ownerB.id);
        let r = await callRoute(handler, method, route, paramsFor(info.segments, A.slug, A));
        expect(r.status, where).toBe(404);
        expect(r.contentType).toMatch(/^application\/json/);
        noneOfA(r.text, "org B's owner on org A");
        // (a) and (c) org B's owner on its own slug with org A's ids: not found, or B's own data only
        if (info.segments.length > 1) {
          r = await callRoute(handler, method, route, paramsFor(info.segments, B.slug, A));
          expect(r.status, `${where} with org A's ids`).toBe(404);
          noneOfA(r.text, "org B's owner with org A's ids");
        }
        if (method === "GET") {
          r = await callRoute(handler, method, route, paramsFor(info.segments, B.slug, B));
          expect(r.status, `${where}: org B's own`).toBe(200);
          noneOfA(r.text, "org B's owner on its own org");
        }
        // signed out: 401
        actAs(null);
        r = await callRoute(handler, method, route, paramsFor(info.segments, A.slug, A));
        expect(r.status, where).toBe(401);
        // (b) org A's member: reads allowed, writes refused
        actAs(tenants.memberA.id);
        r = await callRoute(handler, method, route, paramsFor(info.segments, A.slug, A));
        if (method === "GET") expect(r.status, `${where}: member read`).toBe(200);
        else expect(r.status, `${where}: member write`).toBe(403);
        actAs(null);
        expect(await snapshotDatabase(t.db, {}, SKIP), `${where}: a refused call changed the database`).toEqual(before);
        // the owner of org A does see org A's objects here (so the marker checks above can fail)
        if (method === "GET") {
          actAs(tenants.ownerA.id);
          r = await callRoute(handler, method, route, paramsFor(info.segments, A.slug, A));
          expect(r.status, `${where}: owner read`).toBe(200);
          actAs(null);
        }
      }
    });
  });
  describe.each(orgPages().map((p) => [p.route, p] as const))("page %s", (route, info) => {
    beforeAll(seed);

    it("is not found for another org's owner (also with org A's ids), sends the signed-out to sign in, and shows org B nothing of org A", async () => {
      const mod = (await import(/* @vite-ignore */ info.file)) as { default: (props: object) => unknown };
      const page = mod.default;
      const { A, B } = tenants;
      const noneOfA = (o: PageOutcome, who: string) => {
        if (o.kind === "rendered") for (const m of A.markers) expect(o.text, `${route}: ${who} saw "${m}"`).not.toContain(m);
      };
      const before = await snapshotDatabase(t.db, {}, SKIP);
      // org B's owner on org A's slug: the not-found page, as for an org that does not exist
      actAs(tenants.ownerB.id);
      let o = await callPage(page, pageParams(route, info.segments, A.slug, A));
      if (o.kind === "redirect" && !route.endsWith("layout")) {
        // a page that only forwards (/orgs/{slug} → devices) relies on the layout, checked as its own row
        expect(o.to, route).toMatch(new RegExp(`^/orgs/${A.slug}/`));
      } else {
        expect(o.kind, `${route}: org B's owner on org A`).toBe("not-found");
      }
      // org B's owner on its own slug with org A's ids: not found
      if (info.segments.length > 1) {
        o = await callPage(page, pageParams(route, info.segments, B.slug, A));
        expect(o.kind, `${route}: org B's owner with org A's ids`).toBe("not-found");
      }
      // org B's own page renders, with nothing of org A in it
      o = await callPage(page, pageParams(route, info.segments, B.slug, B));
      expect(["rendered", "redirect"], `${route}: org B's own`).toContain(o.kind);
      noneOfA(o, "org B's owner on its own org");
      // signed out: to sign-in, before any data is read
      actAs(null);
      o = await callPage(page, pageParams(route, info.segments, A.slug, A));
      if (o.kind !== "redirect" || !o.to.startsWith(`/orgs/${A.slug}/`)) expect(o, `${route}: signed out`).toEqual({ kind: "redirect", to: "/sign-in" });
      // org A's member: reads render or forward; pages that need a write permission are not found, and so is an
      // email to someone else (members see only their own mail; the fixture's email is the owner's)
      actAs(tenants.memberA.id);
      o = await callPage(page, pageParams(route, info.segments, A.slug, A));
      if (/\/webhooks\/.*(new|edit)\/page$|\/emails\/\[id\]\/page$/.test(route)) expect(o.kind, `${route}: org A's member`).toBe("not-found");
      else expect(["rendered", "redirect"], `${route}: org A's member`).toContain(o.kind);
      // org A's owner sees org A's objects on the pages about one object (so the marker checks can fail)
      actAs(tenants.ownerA.id);
      o = await callPage(page, pageParams(route, info.segments, A.slug, A));
      expect(["rendered", "redirect"], `${route}: org A's owner`).toContain(o.kind);
      if (info.segments.length > 1 && o.kind === "rendered") {
        expect(A.markers.some((m) => o.kind === "rendered" && o.text.includes(m)), `${route}: org A's owner sees none of org A's objects`).toBe(true);
      }
      actAs(null);
      expect(await snapshotDatabase(t.db, {}, SKIP), `${route}: viewing pages changed the database`).toEqual(before);
    });
  });
});
