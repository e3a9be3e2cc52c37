import { NextResponse } from "next/server";
import { getDb } from "@/db/client";
import { validationError } from "@/lib/http/json";
import { withMember } from "@/lib/http/session-route";
import { deliveryFiltersSchema } from "@/lib/validation/deliveries";
import { listDeliveries } from "@/lib/delivery/log";

export const dynamic = "force-dynamic";

// GET /api/orgs/{slug}/deliveries — one page of the delivery log (?status, eventType, device, webhookId, before, limit)
export const GET = withMember("org.read", async (req, ctx) => {
  const parsed = deliveryFiltersSchema.safeParse(Object.fromEntries(req.nextUrl.searchParams));
  if (!parsed.success) return validationError(parsed.error);
  const page = await listDeliveries(await getDb(), ctx.orgId, parsed.data);
  return NextResponse.json(page, { headers: { "cache-control": "no-store" } });
});
