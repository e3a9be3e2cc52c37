// GET /api/health — liveness: database driver in use and whether migrations are current
import { NextResponse } from "next/server";
import { sql } from "drizzle-orm";
import { getDatabase, migrationStatus } from "@/db/client";

export const dynamic = "force-dynamic";

export async function GET() {
  try {
    const { db, driver } = await getDatabase();
    const started = performance.now();
    await db.execute(sql`select 1`);
    const latencyMs = Math.round((performance.now() - started) * 10) / 10;
    const migrations = await migrationStatus(db);
    return NextResponse.json(
      { status: migrations.current ? "ok" : "degraded", database: { driver, latencyMs }, migrations },
      { status: migrations.current ? 200 : 503, headers: { "cache-control": "no-store" } },
    );
  } catch (err) {
    return NextResponse.json(
      { status: "error", error: { code: "database_unavailable", message: (err as Error).message } },
      { status: 503, headers: { "retry-after": "5", "cache-control": "no-store" } },
    );
  }
}
