// GET /api/cron/deliver — scheduled delivery tick (Vercel Cron, or any scheduler), Bearer $CRON_SECRET
import type { NextRequest } from "next/server";
import { NextResponse } from "next/server";
import { jsonError } from "@/lib/http/json";
import { authorizeCronRequest } from "@/lib/delivery/cron-auth";
import { runTick } from "@/lib/jobs/tick";
import { intEnv } from "@/lib/env";

export const dynamic = "force-dynamic";
export const maxDuration = 60;

export async function GET(req: NextRequest) {
  const refusal = authorizeCronRequest(req.headers.get("authorization"), new URL(req.url).hostname);
  if (refusal) return jsonError(refusal.status, refusal.code, refusal.message);
  const result = await runTick({ budgetMs: intEnv("CRON_BUDGET_MS", 50_000), workerId: "cron" });
  return NextResponse.json({ ok: true, ...result });
}
