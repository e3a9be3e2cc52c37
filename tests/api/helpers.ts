import { createApiKey } from "@/lib/api/keys";
import type { Db } from "@/db/client";
import { twoOrgs } from "../support/fixtures";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Handler = (req: Request, ctx: { params: Promise<any> }) => Promise<Response>;

export const BASE = "http://localhost:3000/api/v1";

/** Calls a route handler with a real Request, as Next would. */
export async function call(
  handler: Handler,
  method: string,
  path: string,
  opts: { key?: string | null; body?: unknown; rawBody?: string; headers?: Record<string, string>; params?: Record<string, string> } = {},
): Promise<{ status: number; body: any; headers: Headers }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.key) headers.authorization = `Bearer ${opts.key}`;
  let body: string | undefined;
  if (opts.rawBody !== undefined) body = opts.rawBody;
  else if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers["content-type"] ??= "application/json";
  }
  const res = await handler(new Request(`${BASE}${path}`, { method, headers, body }), { params: Promise.resolve(opts.params ?? {}) });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // not JSON
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

/** Two orgs (see twoOrgs) with a write key and a read key in org A and a write key in org B. */
export async function orgsWithKeys(db: Db) {
  const cast = await twoOrgs(db);
  const writeA = await createApiKey(db, { orgId: cast.orgA.id, userId: cast.ownerA.id }, { name: "Line A", scope: "write", expiresInDays: "never" });
  const readA = await createApiKey(db, { orgId: cast.orgA.id, userId: cast.adminA.id }, { name: "Dashboard A", scope: "read", expiresInDays: "never" });
  const writeB = await createApiKey(db, { orgId: cast.orgB.id, userId: cast.ownerB.id }, { name: "Line B", scope: "write", expiresInDays: "never" });
  return { ...cast, writeA, readA, writeB };
}
