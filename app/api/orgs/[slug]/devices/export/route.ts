import { getDb } from "@/db/client";
import { exportDevicesCsv } from "@/lib/devices/csv";
import { withMember } from "@/lib/http/session-route";
import { deviceListQuerySchema } from "@/lib/validation/devices";

export const dynamic = "force-dynamic";

// GET /api/orgs/{slug}/devices/export — "Export CSV": the devices matching ?q, status, tag, streamed
export const GET = withMember("org.read", async (req, ctx) => {
  const query = deviceListQuerySchema.parse(Object.fromEntries(req.nextUrl.searchParams));
  const stream = exportDevicesCsv(await getDb(), ctx.orgId, { q: query.q, status: query.status, tag: query.tag });
  return new Response(stream, {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="devices-${ctx.orgSlug}.csv"`,
      "cache-control": "no-store",
    },
  });
});
