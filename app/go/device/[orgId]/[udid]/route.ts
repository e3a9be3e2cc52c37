import { and, eq } from "drizzle-orm";
import { NextResponse } from "next/server";
import { getDb } from "@/db/client";
import { devices } from "@/db/schema";
import { AccessError, requireMember } from "@/lib/auth/guard";
import { getSessionUserId } from "@/lib/auth/session";

/**
 * GET /go/device/{orgId}/{udid}: the `deviceUrl` of webhook templates (chat presets). Signed in and a member of the
 * org → a redirect to the device's page; not signed in → sign-in, then back here; anything else (not a member, no
 * such device, malformed) → 404, so the link reveals nothing to outsiders.
 */
export async function GET(req: Request, { params }: { params: Promise<{ orgId: string; udid: string }> }): Promise<Response> {
  const { orgId, udid } = await params;
  const here = new URL(req.url);
  const notFound = () => new NextResponse("Not found", { status: 404, headers: { "content-type": "text/plain; charset=utf-8" } });
  const id = Number(orgId);
  if (!/^[1-9][0-9]{0,9}$/.test(orgId) || id > 2_147_483_647 || udid.length > 200 || udid.includes("\u0000")) return notFound();
  const userId = await getSessionUserId();
  if (!userId) return NextResponse.redirect(new URL(`/sign-in?next=${encodeURIComponent(here.pathname)}`, here), 303);
  try {
    const ctx = await requireMember(userId, { id });
    const [device] = await (await getDb())
      .select({ id: devices.id })
      .from(devices)
      .where(and(eq(devices.orgId, ctx.orgId), eq(devices.udid, udid)));
    if (!device) return notFound();
    return NextResponse.redirect(new URL(`/orgs/${ctx.orgSlug}/devices/${device.id}`, here), 303);
  } catch (err) {
    if (err instanceof AccessError) return notFound();
    throw err;
  }
}
