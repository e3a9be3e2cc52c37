import { NextResponse } from "next/server";
import { getDb } from "@/db/client";
import { withMember } from "@/lib/http/session-route";
import { listWebhooks } from "@/lib/webhooks/manage";

// GET /api/orgs/{slug}/webhooks — the org's webhooks with their health (no secrets, no credentials), for polling
export const GET = withMember<{ slug: string }>("org.read", async (_req, ctx) => {
  const rows = await listWebhooks(await getDb(), ctx.orgId);
  return NextResponse.json({ webhooks: rows });
});
