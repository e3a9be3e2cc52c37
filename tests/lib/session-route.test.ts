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
