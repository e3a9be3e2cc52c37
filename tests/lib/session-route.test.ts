import { NextRequest } from "next/server";
import { describe, expect, it } from "vitest";
import { withMember } from "@/lib/http/session-route";
import { useTestDatabase } from "../support/db";
import { twoOrgs } from "../support/fixtures";
import { actAs } from "../support/session";

const db = useTestDatabase();
const call = (handler: ReturnType<typeof withMember>, slug: string) =>
  handler(new NextRequest("http://localhost/api/orgs/x"), { params: Promise.resolve({ slug }) });

describe("withMember", () => {
  it("answers 401 signed out, 404 to non-members, 403 without the permission, and runs the handler for members", async () => {
    const { orgA, ownerA, memberA, ownerB } = await twoOrgs(db());
    const handler = withMember("org_setting.modify", async (_req, ctx) => Response.json({ orgId: ctx.orgId }));
    actAs(null);
    expect((await call(handler, orgA.slug)).status).toBe(401);
    actAs(ownerB.id);
    const notFound = await call(handler, orgA.slug);
    expect(notFound.status).toBe(404);
    expect(await notFound.json()).toEqual({ error: { code: "not_found", message: "Organization not found." } });
    actAs(memberA.id);
    expect((await call(handler, orgA.slug)).status).toBe(403);
    actAs(ownerA.id);
    expect(await (await call(handler, orgA.slug)).json()).toEqual({ orgId: orgA.id });
  });

  it("answers 503 JSON with Retry-After when the database is unreachable, 500 JSON for a bug", async () => {
    const { orgA, ownerA } = await twoOrgs(db());
    actAs(ownerA.id);
    const down = withMember("org.read", async () => {
      throw Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" });
    });
    const res = await call(down, orgA.slug);
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("5");
    expect((await res.json()).error.code).toBe("unavailable");
    const bug = withMember("org.read", async () => {
      throw new TypeError("x is undefined");
    });
    const res2 = await call(bug, orgA.slug);
    expect(res2.status).toBe(500);
    expect((await res2.json()).error.code).toBe("internal_error");
  });
});

describe("cross-site requests on session routes", () => {
  const post = (headers: Record<string, string>, method = "POST") =>
    new NextRequest("http://localhost:3000/api/orgs/org-a/devices/1/token", { method, headers: { host: "localhost:3000", ...headers } });

  it("refuses a POST from another port of the same host (Origin or Sec-Fetch-Site) with 403 before running the handler", async () => {
    const { orgA, ownerA } = await twoOrgs(db());
    actAs(ownerA.id);
    let ran = 0;
    const handler = withMember("org.read", async () => {
      ran++;
      return Response.json({ ok: true });
    });
    const params = { params: Promise.resolve({ slug: orgA.slug }) };
    const refused: Record<string, string>[] = [
      { origin: "http://localhost:4000" },
      { origin: "http://localhost:4000", "sec-fetch-site": "same-site" },
      { "sec-fetch-site": "same-site" },
      { "sec-fetch-site": "cross-site" },
      { origin: "null" },
      { origin: "https://evil.example" },
    ];
    for (const headers of refused) {
      for (const method of ["POST", "PUT", "PATCH", "DELETE"]) {
        const res = await handler(post(headers, method), params);
        expect(res.status, `${method} ${JSON.stringify(headers)}`).toBe(403);
        expect((await res.json()).error.code).toBe("cross_site_request");
      }
    }
    expect(ran).toBe(0);
    // the portal's own pages, and clients that are not browsers (no Origin, no Sec-Fetch-Site), go through
    expect((await handler(post({ origin: "http://localhost:3000", "sec-fetch-site": "same-origin" }), params)).status).toBe(200);
    expect((await handler(post({ origin: "http://localhost:3000" }), params)).status).toBe(200);
    expect((await handler(post({}), params)).status).toBe(200);
    // reads are not state-changing
    expect((await handler(post({ origin: "http://localhost:4000" }, "GET"), params)).status).toBe(200);
    expect(ran).toBe(4);
  });

  it("a foreign-port page cannot regenerate a device token (the real route)", async () => {
    const { POST: regenerate } = await import("@/app/api/orgs/[slug]/devices/[deviceId]/token/route");
    const { makeDevice } = await import("../devices/helpers");
    const { deviceTokens } = await import("@/db/schema");
    const { orgA, ownerA } = await twoOrgs(db());
    const { device } = await makeDevice(db(), orgA.id, "csrf-target");
    const before = await db().select().from(deviceTokens);
    actAs(ownerA.id);
    const params = { params: Promise.resolve({ slug: orgA.slug, deviceId: String(device.id) }) };
    const res = await regenerate(post({ origin: "http://localhost:8080", "sec-fetch-site": "same-site" }), params);
    expect(res.status).toBe(403);
    expect(await db().select().from(deviceTokens)).toEqual(before);
    const ok = await regenerate(post({ origin: "http://localhost:3000", "sec-fetch-site": "same-origin" }), params);
    expect(ok.status).toBe(200);
  });
});
