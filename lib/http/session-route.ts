import "server-only";
import type { NextRequest, NextResponse } from "next/server";
import { AccessError, requireMember, type MemberContext } from "@/lib/auth/guard";
import type { Permission } from "@/lib/auth/permissions";
import { getSessionUserId } from "@/lib/auth/session";
import { isDatabaseUnavailable, jsonError, unavailable } from "./json";
import { crossSiteRefusal } from "./same-origin";

type Params = Record<string, string | string[]>;

/**
 * Route-handler wrapper for browser (session) callers of /api/orgs/{slug}/…: session → membership → permission,
 * then the handler with the member context. Refusals map to the JSON error shape (404 for non-members). A
 * state-changing request from another origin (even another port of the same host) is refused with 403 first.
 */
export function withMember<P extends Params & { slug: string }>(
  permission: Permission,
  handler: (req: NextRequest, ctx: MemberContext, params: P) => Promise<Response>,
) {
  return async (req: NextRequest, { params }: { params: Promise<P> }): Promise<Response | NextResponse> => {
    if (crossSiteRefusal(req)) {
      return jsonError(403, "cross_site_request", "Cross-site request refused: send it from the portal's own origin.");
    }
    const p = await params;
    try {
      const ctx = await requireMember(await getSessionUserId(), { slug: p.slug }, permission);
      return await handler(req, ctx, p);
    } catch (err) {
      if (err instanceof AccessError) {
        const code = err.status === 401 ? "unauthenticated" : err.status === 403 ? "forbidden" : "not_found";
        return jsonError(err.status, code, err.message);
      }
      if (isDatabaseUnavailable(err)) return unavailable();
      console.error("[api] unexpected error:", err);
      return jsonError(500, "internal_error", "Something went wrong on our side.");
    }
  };
}
