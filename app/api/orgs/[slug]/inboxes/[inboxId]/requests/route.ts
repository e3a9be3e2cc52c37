import { NextResponse } from "next/server";
import { getDb } from "@/db/client";
import { jsonError, validationError } from "@/lib/http/json";
import { withMember } from "@/lib/http/session-route";
import { readInboxRequests } from "@/lib/inbox/requests";
import { inboxRequestsQuerySchema } from "@/lib/validation/inbox";

export const dynamic = "force-dynamic";

// GET /api/orgs/{slug}/inboxes/{inboxId}/requests?limit=50 — captured requests, newest first, with signature verdicts
export const GET = withMember<{ slug: string; inboxId: string }>("org.read", async (req, ctx, params) => {
  const inboxId = Number(params.inboxId);
  const query = inboxRequestsQuerySchema.safeParse(Object.fromEntries(new URL(req.url).searchParams));
  if (!query.success) return validationError(query.error);
  const result = Number.isInteger(inboxId) && inboxId > 0 ? await readInboxRequests(await getDb(), ctx.orgId, inboxId, { limit: query.data.limit }) : null;
  if (!result) return jsonError(404, "not_found", "No such inbox in this organization.");
  return NextResponse.json(result, { headers: { "cache-control": "no-store" } });
});
