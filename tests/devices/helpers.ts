import type { Db } from "@/db/client";
import { webhooks } from "@/db/schema";
import { createDevice } from "@/lib/devices/admin";
import { SUBSCRIBABLE_EVENT_TYPES } from "@/lib/events/catalog";
import { deviceCreateSchema } from "@/lib/validation/devices";

/** A device created the way the portal does it, with its plaintext token. */
export async function makeDevice(db: Db, orgId: number, udid = "dev-1", extra: Record<string, unknown> = {}) {
  const input = deviceCreateSchema.parse({ udid, name: `Device ${udid}`, ...extra });
  const { device, token } = await createDevice(db, { orgId, userId: null }, input);
  return { device, token };
}

/** A webhook subscribed to every device event (rows only; nothing is sent in these tests). */
export async function subscribeAll(db: Db, orgId: number, name = "all") {
  const [hook] = await db
    .insert(webhooks)
    .values({
      orgId,
      name,
      url: "http://127.0.0.1:9/hook",
      events: SUBSCRIBABLE_EVENT_TYPES.filter((t) => t.startsWith("device.")),
    })
    .returning();
  return hook;
}

type Handler = (req: Request, ctx: { params: Promise<{ udid: string }> }) => Promise<Response>;

/** Calls a device API handler as Next would. */
export async function callDeviceRoute(
  handler: Handler,
  udid: string,
  opts: { token?: string | null; body?: unknown; raw?: string; headers?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = { "content-type": "application/json", ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  const body = opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
  const req = new Request(`http://localhost/api/v1/devices/${encodeURIComponent(udid)}/status`, { method: "POST", headers, body });
  const res = await handler(req, { params: Promise.resolve({ udid }) });
  const json = (await res.json()) as Record<string, unknown> & { error?: { code: string; message: string; fields?: Record<string, string[]> } };
  return { status: res.status, headers: res.headers, json };
}
