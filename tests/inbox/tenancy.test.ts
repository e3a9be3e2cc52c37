import { eq } from "drizzle-orm";
import type { NextRequest } from "next/server";
import { describe, expect, it } from "vitest";
import { auditLog, inboxes, inboxRequests } from "@/db/schema";
import { clearInboxAction, createInboxAction, deleteInboxAction, updateInboxAction } from "@/lib/actions/inbox";
import * as listRoute from "@/app/api/orgs/[slug]/inboxes/route";
import * as bodyRoute from "@/app/api/orgs/[slug]/inboxes/[inboxId]/requests/[requestId]/body/route";
import { useTestDatabase } from "../support/db";
import { twoOrgs } from "../support/fixtures";
import { actAs } from "../support/session";
import { BASE, insertInbox, readRequests, sendToInbox } from "./helpers";

const db = useTestDatabase();

async function setup() {
  const cast = await twoOrgs(db());
  const inboxA = await insertInbox(db(), cast.orgA.id, { name: "A's inbox" });
  const inboxB = await insertInbox(db(), cast.orgB.id, { name: "B's inbox" });
  await sendToInbox(inboxA.token, { body: '{"secret":"of A"}' });
  const [reqA] = await db().select().from(inboxRequests).where(eq(inboxRequests.inboxId, inboxA.id));
  return { ...cast, inboxA, inboxB, reqA };
}

async function list(slug: string) {
  const res = await listRoute.GET(new Request(`${BASE}/api/orgs/${slug}/inboxes`) as unknown as NextRequest, {
    params: Promise.resolve({ slug }),
  });
  return { status: res.status, json: await res.json() };
}

async function download(slug: string, inboxId: number, requestId: number) {
  const res = await bodyRoute.GET(new Request(`${BASE}/x`) as unknown as NextRequest, {
    params: Promise.resolve({ slug, inboxId: String(inboxId), requestId: String(requestId) }),
  });
  return { status: res.status, text: await res.text() };
}

async function inboxAState(inboxId: number) {
  const [row] = await db().select().from(inboxes).where(eq(inboxes.id, inboxId));
  const requests = await db().select().from(inboxRequests).where(eq(inboxRequests.inboxId, inboxId));
  return { row, requests: requests.length };
}

describe("inbox tenancy", () => {
  it("lets a member of the org list and read its inboxes, with full URLs' tokens", async () => {
    const { memberA, inboxA, reqA } = await setup();
    actAs(memberA.id);
    const listed = await list("org-a");
    expect(listed.status).toBe(200);
    expect(listed.json.inboxes).toEqual([expect.objectContaining({ id: inboxA.id, token: inboxA.token, requestCount: 1 })]);
    const read = await readRequests("org-a", inboxA.id);
    expect(read.status).toBe(200);
    expect(read.json.requests[0].body).toBe('{"secret":"of A"}');
    expect(await download("org-a", inboxA.id, reqA.id)).toEqual({ status: 200, text: '{"secret":"of A"}' });
  });

  it("never lists or reads another org's inbox, whatever the URL says", async () => {
    const { ownerB, inboxA, reqA, inboxB } = await setup();
    actAs(ownerB.id);
    // through org A's slug: not a member → 404
    expect((await list("org-a")).status).toBe(404);
    expect((await readRequests("org-a", inboxA.id)).status).toBe(404);
    expect((await download("org-a", inboxA.id, reqA.id)).status).toBe(404);
    // through B's own slug with A's ids: not B's → 404
    const own = await list("org-b");
    expect(own.json.inboxes.map((i: { id: number }) => i.id)).toEqual([inboxB.id]);
    expect((await readRequests("org-b", inboxA.id)).status).toBe(404);
    expect((await download("org-b", inboxA.id, reqA.id)).status).toBe(404);
    expect((await download("org-b", inboxB.id, reqA.id)).status).toBe(404);
  });

  it("refuses signed-out callers", async () => {
    const { inboxA } = await setup();
    actAs(null);
    expect((await list("org-a")).status).toBe(401);
    expect((await readRequests("org-a", inboxA.id)).status).toBe(401);
  });

  it("never lets another org's owner clear, edit or delete an inbox", async () => {
    const { ownerB, inboxA } = await setup();
    actAs(ownerB.id);
    for (const orgSlug of ["org-a", "org-b"]) {
      expect((await clearInboxAction(null, { orgSlug, inboxId: inboxA.id }))?.ok).toBe(false);
      expect((await deleteInboxAction(null, { orgSlug, inboxId: inboxA.id }))?.ok).toBe(false);
      const edit = await updateInboxAction(null, { orgSlug, inboxId: inboxA.id, name: "pwned", responseStatus: 500, responseDelaySeconds: 30 });
      expect(edit?.ok).toBe(false);
    }
    const after = await inboxAState(inboxA.id);
    expect(after.row).toMatchObject({ name: "A's inbox", responseStatus: 200, responseDelayMs: 0 });
    expect(after.requests).toBe(1);
  });

  it("lets a member view but not create, edit, clear or delete", async () => {
    const { memberA, inboxA, orgA } = await setup();
    actAs(memberA.id);
    const created = await createInboxAction(null, { orgSlug: "org-a", name: "Mine" });
    expect(created).toMatchObject({ ok: false, message: expect.stringMatching(/permission/) });
    expect((await clearInboxAction(null, { orgSlug: "org-a", inboxId: inboxA.id }))?.ok).toBe(false);
    expect((await deleteInboxAction(null, { orgSlug: "org-a", inboxId: inboxA.id }))?.ok).toBe(false);
    expect((await updateInboxAction(null, { orgSlug: "org-a", inboxId: inboxA.id, name: "x", responseStatus: 500 }))?.ok).toBe(false);
    const after = await inboxAState(inboxA.id);
    expect(after.row.name).toBe("A's inbox");
    expect(after.requests).toBe(1);
    expect(await db().select().from(inboxes).where(eq(inboxes.orgId, orgA.id))).toHaveLength(1);
  });

  it("lets an admin create, edit, clear and delete, with audit entries; a deleted inbox's URL answers 404", async () => {
    const { adminA, orgA, inboxA } = await setup();
    actAs(adminA.id);
    const created = await createInboxAction(null, { orgSlug: "org-a", name: "Staging", responseStatus: "500", responseDelaySeconds: "2.5" });
    expect(created?.ok).toBe(true);
    const newId = (created?.data as { id: number }).id;
    const [row] = await db().select().from(inboxes).where(eq(inboxes.id, newId));
    expect(row).toMatchObject({ orgId: orgA.id, name: "Staging", responseStatus: 500, responseDelayMs: 2500 });
    expect(row.token).toMatch(/^[0-9A-Za-z]{32}$/);

    expect(await clearInboxAction(null, { orgSlug: "org-a", inboxId: inboxA.id })).toMatchObject({ ok: true, message: "Cleared 1 request." });
    expect((await inboxAState(inboxA.id)).requests).toBe(0);

    expect((await deleteInboxAction(null, { orgSlug: "org-a", inboxId: inboxA.id }))?.ok).toBe(true);
    expect((await sendToInbox(inboxA.token, { body: "late" })).status).toBe(404);

    const actions = (await db().select().from(auditLog).where(eq(auditLog.orgId, orgA.id))).map((a) => a.action).sort();
    expect(actions).toEqual(["inbox.cleared", "inbox.created", "inbox.deleted"]);
  });

  it("explains a missing name", async () => {
    const { adminA } = await setup();
    actAs(adminA.id);
    const result = await createInboxAction(null, { orgSlug: "org-a", name: "  " });
    expect(result?.ok).toBe(false);
    expect(result?.errors?.name?.[0]).toBe("Give the inbox a name.");
  });
});
