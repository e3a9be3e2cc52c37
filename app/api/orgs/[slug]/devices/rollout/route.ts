import { rolloutResponse } from "@/lib/devices/session-api";
import { withMember } from "@/lib/http/session-route";

export const dynamic = "force-dynamic";

// GET /api/orgs/{slug}/devices/rollout?tag= — on target / pending / failed / offline counts and the laggards
export const GET = withMember<{ slug: string }>("org.read", (req, ctx) => rolloutResponse(req, ctx));
