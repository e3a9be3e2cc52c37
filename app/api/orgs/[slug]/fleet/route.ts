import { NextResponse } from "next/server";
import { getDb } from "@/db/client";
import { fleetOverview, OVERVIEW_RANGES, type OverviewRange } from "@/lib/fleet/overview";
import { withMember } from "@/lib/http/session-route";

export const dynamic = "force-dynamic";

// GET /api/orgs/{slug}/fleet?range=24h|7d — the fleet overview's data (any other range reads as 24h)
export const GET = withMember("org.read", async (req, ctx) => {
  const asked = new URL(req.url).searchParams.get("range");
  const range: OverviewRange = OVERVIEW_RANGES.includes(asked as OverviewRange) ? (asked as OverviewRange) : "24h";
  const overview = await fleetOverview(await getDb(), ctx.orgId, range);
  return NextResponse.json(overview, { headers: { "cache-control": "no-store" } });
});
