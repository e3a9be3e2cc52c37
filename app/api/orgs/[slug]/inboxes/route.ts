import { NextResponse } from "next/server";
import { getDb } from "@/db/client";
import { listInboxes } from "@/lib/inbox/service";
import { withMember } from "@/lib/http/session-route";

export const dynamic = "force-dynamic";

// GET /api/orgs/{slug}/inboxes — the org's inboxes (any member), for the inbox page and "Use an inbox"
export const GET = withMember("org.read", async (_req, ctx) => {
  const inboxes = await listInboxes(await getDb(), ctx.orgId);
  return NextResponse.json({ inboxes }, { headers: { "cache-control": "no-store" } });
});
