import { NextResponse } from "next/server";
import { openApiDocument } from "@/lib/api/openapi";

export const dynamic = "force-static";

// GET /api/v1/openapi.json — the OpenAPI 3.1 document of the public API (no key needed), generated from the
// operations the routes serve
export function GET() {
  return NextResponse.json(openApiDocument(), { headers: { "cache-control": "public, max-age=300" } });
}
