import "server-only";
import type { NextRequest } from "next/server";
import { NextResponse } from "next/server";
import { getDb } from "@/db/client";
import { statusForCode, UserError } from "@/lib/errors";
import { readJsonBody } from "@/lib/http/body";
import type { MemberContext } from "@/lib/auth/guard";
import { jsonError, validationError } from "@/lib/http/json";
import { kickDelivery } from "@/lib/delivery/kick";
import { deviceCreateSchema, deviceListQuerySchema, desiredBulkSchema, desiredWriteSchema } from "@/lib/validation/devices";
import { unstorableQueryParams } from "@/lib/validation/text";
import { createDevice, regenerateDeviceToken } from "./admin";
import { bulkWriteDesired, previewBulkDesired, writeDesired } from "./desired";
import { countDevicesByStatus, getActiveToken, getDevice, listDevices, recentDeviceEvents, recentDeviceSignals } from "./queries";
import { getDesiredView, rolloutSummary } from "./desired-queries";

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
  const [events, signals, token, desired] = await Promise.all([
    recentDeviceEvents(db, ctx.orgId, device.id),
    recentDeviceSignals(db, ctx.orgId, device.id),
    getActiveToken(db, ctx.orgId, device.id),
    getDesiredView(db, ctx.orgId, device.id),
  ]);
  return NextResponse.json({ device, events, signals, token, desired }, { headers: { "cache-control": "no-store" } });
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

/** GET the desired and reported state of one device. */
export async function desiredViewResponse(ctx: MemberContext, rawId: string): Promise<Response> {
  const id = parseId(rawId);
  const view = id ? await getDesiredView(await getDb(), ctx.orgId, id) : null;
  if (!view) return jsonError(404, "not_found", "Device not found.");
  return NextResponse.json(view, { headers: { "cache-control": "no-store" } });
}

/** PUT the desired config and target firmware of one device (same schema and rules as the device page's form). */
export async function desiredWriteResponse(req: NextRequest, ctx: MemberContext, rawId: string): Promise<Response> {
  const id = parseId(rawId);
  // another org's device id is not found, whatever the body says
  if (!id || !(await getDevice(await getDb(), ctx.orgId, id))) return jsonError(404, "not_found", "Device not found.");
  const body = await readJson(req);
  if (!body.ok) return body.response;
  const parsed = desiredWriteSchema.safeParse({ ...(body.value as object), deviceId: id });
  if (!parsed.success) return validationError(parsed.error);
  try {
    const result = await writeDesired(await getDb(), { orgId: ctx.orgId, userId: ctx.userId }, parsed.data);
    if (result.deliveries > 0) kickDelivery();
    return NextResponse.json({ ...result, desired: await getDesiredView(await getDb(), ctx.orgId, id) });
  } catch (err) {
    if (err instanceof UserError) return userErrorResponse(err);
    throw err;
  }
}

/** POST a bulk write to every device with a tag (`"preview": true` only counts the devices it would change). */
export async function desiredBulkResponse(req: NextRequest, ctx: MemberContext): Promise<Response> {
  const body = await readJson(req);
  if (!body.ok) return body.response;
  const { preview, ...rest } = body.value as Record<string, unknown>;
  const parsed = desiredBulkSchema.safeParse(rest);
  if (!parsed.success) return validationError(parsed.error);
  const actor = { orgId: ctx.orgId, userId: ctx.userId };
  if (preview === true) return NextResponse.json(await previewBulkDesired(await getDb(), actor, parsed.data));
  const result = await bulkWriteDesired(await getDb(), actor, parsed.data);
  if (result.deliveries > 0) kickDelivery();
  return NextResponse.json(result);
}

/** GET the rollout view's data: ?tag= (or the whole org). Polled by the rollout page. */
export async function rolloutResponse(req: NextRequest, ctx: MemberContext): Promise<Response> {
  const raw = req.nextUrl.searchParams.get("tag")?.trim() ?? "";
  const tag = raw && raw.length <= 32 ? raw : null;
  const summary = await rolloutSummary(await getDb(), ctx.orgId, tag);
  return NextResponse.json(summary, { headers: { "cache-control": "no-store" } });
}
