import "server-only";
import type { NextRequest } from "next/server";
import { NextResponse } from "next/server";
import { getDb } from "@/db/client";
import { statusForCode, UserError } from "@/lib/errors";
import { readJsonBody } from "@/lib/http/body";
import type { MemberContext } from "@/lib/auth/guard";
import { jsonError, validationError } from "@/lib/http/json";
import { kickDelivery } from "@/lib/delivery/kick";
import { deviceCreateSchema, deviceListQuerySchema } from "@/lib/validation/devices";
import { unstorableQueryParams } from "@/lib/validation/text";
import { createDevice, regenerateDeviceToken } from "./admin";
import {
  countDevicesByStatus,
  getActiveToken,
  getDevice,
  listDevices,
  recentDeviceEvents,
  recentDeviceSignals,
} from "./queries";

/**
 * GET list: one page of devices (polled by the devices page every few seconds). `?counts=1` adds per-status counts,
 * which scan the whole org and are therefore polled less often.
 */
export async function devicesListResponse(req: NextRequest, ctx: MemberContext): Promise<Response> {
  const params = req.nextUrl.searchParams;
  const bad = unstorableQueryParams(params);
  if (bad) return jsonError(400, "invalid_request", Object.values(bad)[0][0], bad);
  const query = deviceListQuerySchema.parse(Object.fromEntries(params));
  const db = await getDb();
  const [page, counts] = await Promise.all([
    listDevices(db, ctx.orgId, query),
    params.get("counts") === "1" ? countDevicesByStatus(db, ctx.orgId) : undefined,
  ]);
  return NextResponse.json(counts ? { ...page, counts } : page, { headers: { "cache-control": "no-store" } });
}

/** Bodies of the session JSON routes: small objects. */
const MAX_SESSION_BODY_BYTES = 64 * 1024;

async function readJson(req: Request): Promise<{ ok: true; value: unknown } | { ok: false; response: Response }> {
  const read = await readJsonBody(req, { maxBytes: MAX_SESSION_BODY_BYTES });
  return read.ok ? read : { ok: false, response: jsonError(read.problem.status, read.problem.code, read.problem.message) };
}

const userErrorResponse = (err: UserError) => jsonError(statusForCode(err.code), err.code, err.message, err.errors);

/** POST create (scripts such as the simulator): same schema and rules as the "Add device" form; the token once. */
export async function createDeviceResponse(req: NextRequest, ctx: MemberContext): Promise<Response> {
  const body = await readJson(req);
  if (!body.ok) return body.response;
  const parsed = deviceCreateSchema.safeParse(body.value);
  if (!parsed.success) return validationError(parsed.error);
  try {
    const { device, token, deliveries } = await createDevice(await getDb(), { orgId: ctx.orgId, userId: ctx.userId }, parsed.data);
    if (deliveries > 0) kickDelivery();
    const view = await getDevice(await getDb(), ctx.orgId, device.id);
    return NextResponse.json({ device: view, token }, { status: 201 });
  } catch (err) {
    if (err instanceof UserError) return userErrorResponse(err);
    throw err;
  }
}

function parseId(raw: string): number | null {
  const id = Number(raw);
  return Number.isInteger(id) && id > 0 ? id : null;
}

/** GET one device with its recent events and signals (polled by the device page). */
export async function deviceDetailResponse(ctx: MemberContext, rawId: string): Promise<Response> {
  const id = parseId(rawId);
  const db = await getDb();
  const device = id ? await getDevice(db, ctx.orgId, id) : null;
  if (!device) return jsonError(404, "not_found", "Device not found.");
  const [events, signals, token] = await Promise.all([
    recentDeviceEvents(db, ctx.orgId, device.id),
    recentDeviceSignals(db, ctx.orgId, device.id),
    getActiveToken(db, ctx.orgId, device.id),
  ]);
  return NextResponse.json({ device, events, signals, token }, { headers: { "cache-control": "no-store" } });
}

/** POST regenerate token: revokes the old one at once and returns the new one (shown once). */
export async function regenerateTokenResponse(ctx: MemberContext, rawId: string): Promise<Response> {
  const id = parseId(rawId);
  if (!id) return jsonError(404, "not_found", "Device not found.");
  try {
    const { device, token } = await regenerateDeviceToken(await getDb(), { orgId: ctx.orgId, userId: ctx.userId }, id);
    return NextResponse.json({ deviceId: device.id, udid: device.udid, token });
  } catch (err) {
    if (err instanceof UserError) return jsonError(404, "not_found", "Device not found.");
    throw err;
  }
}
