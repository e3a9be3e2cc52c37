import { desiredBulkResponse } from "@/lib/devices/session-api";
import { withMember } from "@/lib/http/session-route";

export const dynamic = "force-dynamic";

// POST /api/orgs/{slug}/devices/desired — bulk write to every device with a tag, in one transaction (owners, admins);
// { "preview": true } only counts the devices that would change
export const POST = withMember<{ slug: string }>("device.modify", (req, ctx) => desiredBulkResponse(req, ctx));
