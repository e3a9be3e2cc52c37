import { NextResponse } from "next/server";
import { getDb } from "@/db/client";
import { jsonError, validationError } from "@/lib/http/json";
import { withMember } from "@/lib/http/session-route";
import { deliveryFiltersSchema } from "@/lib/validation/deliveries";
import { unstorableQueryParams } from "@/lib/validation/text";
import { listDeliveries } from "@/lib/delivery/log";

export const dynamic = "force-dynamic";

// GET /api/orgs/{slug}/deliveries — one page of the delivery log (?status, eventType, device, webhookId, before, limit)
export const GET = withMember("org.read", async (req, ctx) => {
  const bad = unstorableQueryParams(req.nextUrl.searchParams);
  if (bad) return jsonError(400, "invalid_request", Object.values(bad)[0][0], bad);
  const parsed = deliveryFiltersSchema.safeParse(Object.fromEntries(req.nextUrl.searchParams));
  if (!parsed.success) return validationError(parsed.error);
  const page = await listDeliveries(await getDb(), ctx.orgId, parsed.data);
  return NextResponse.json(page, { headers: { "cache-control": "no-store" } });
});
