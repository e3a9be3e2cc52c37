import { NextResponse } from "next/server";
import { getDb } from "@/db/client";
import { jsonError } from "@/lib/http/json";
import { withMember } from "@/lib/http/session-route";
import { getDelivery } from "@/lib/delivery/log";

export const dynamic = "force-dynamic";

// GET /api/orgs/{slug}/deliveries/{id} — one delivery with its event and every attempt
export const GET = withMember<{ slug: string; id: string }>("org.read", async (_req, ctx, params) => {
  const id = Number(params.id);
  const delivery = Number.isSafeInteger(id) && id > 0 ? await getDelivery(await getDb(), ctx.orgId, id) : null;
  if (!delivery) return jsonError(404, "not_found", "Delivery not found.");
  return NextResponse.json(delivery, { headers: { "cache-control": "no-store" } });
});
