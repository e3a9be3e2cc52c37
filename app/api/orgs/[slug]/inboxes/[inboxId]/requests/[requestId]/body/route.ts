import { getDb } from "@/db/client";
import { jsonError } from "@/lib/http/json";
import { withMember } from "@/lib/http/session-route";
import { selectRequestBody } from "@/lib/inbox/service";

export const dynamic = "force-dynamic";

// GET /api/orgs/{slug}/inboxes/{inboxId}/requests/{requestId}/body — the captured body's exact bytes, as a download
export const GET = withMember<{ slug: string; inboxId: string; requestId: string }>("org.read", async (_req, ctx, params) => {
  const inboxId = Number(params.inboxId);
  const requestId = Number(params.requestId);
  const ok = Number.isSafeInteger(inboxId) && inboxId > 0 && Number.isSafeInteger(requestId) && requestId > 0;
  const row = ok ? await selectRequestBody(await getDb(), ctx.orgId, inboxId, requestId) : null;
  if (!row) return jsonError(404, "not_found", "No such request in this organization.");
  const bytes = row.bodyEncoding === "base64" ? Buffer.from(row.body, "base64") : Buffer.from(row.body, "utf8");
  return new Response(new Uint8Array(bytes), {
    headers: {
      // served as a download, never rendered: the bytes came from anyone who knew the inbox URL
      "content-type": "application/octet-stream",
      "content-disposition": `attachment; filename="request-${requestId}.${row.bodyEncoding === "base64" ? "bin" : "txt"}"`,
      "x-content-type-options": "nosniff",
      "cache-control": "no-store",
    },
  });
});
