// Hostile bodies, queries and ids for every operation (fast-check): never a 5xx, always the one error shape, and a
// refused request changes nothing.
import fc from "fast-check";
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { API_OPERATIONS } from "@/lib/api/registry";
import { createDevice } from "@/lib/devices/admin";
import { useTestDatabase } from "../support/db";
import { call, orgsWithKeys } from "./helpers";
import { ROUTES } from "./routes";
import type { Db } from "@/db/client";

const db = useTestDatabase({ truncate: false });

async function snapshot(d: Db) {
  const out: Record<string, unknown> = {};
  for (const t of ["devices", "device_tokens", "webhooks", "webhook_secrets", "outbox", "events", "audit_log"]) {
    out[t] = ((await d.execute(sql.raw(`select * from ${t} order by 1`))) as unknown as { rows: unknown[] }).rows;
  }
  return out;
}

let key = "";
let deviceId = 0;
beforeAll(async () => {
  process.env.API_RATE_LIMIT_BURST = "100000";
  const cast = await orgsWithKeys(db());
  key = cast.writeA.secret;
  deviceId = (await createDevice(db(), { orgId: cast.orgA.id, userId: null }, { udid: "fuzz-1", name: "Fuzz", tags: [], offlineAfterSeconds: 300 })).device.id;
});

const hostileValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom("", " ", "\u0000", "<script>", "'; drop table devices; --", "x".repeat(5000), -1, 1e308, Number.MAX_SAFE_INTEGER, null, true, [], {}),
);

describe("fuzzing every operation", () => {
  it.each(API_OPERATIONS.map((op) => [op.operationId, op] as const))("%s: hostile input is a 4xx with the error shape and changes nothing", async (_id, op) => {
    const r = ROUTES[`/api/v1${op.path}`];
    const handler = r.mod[op.method.toUpperCase()];
    const fields = op.body && "shape" in op.body ? Object.keys((op.body as unknown as { shape: object }).shape) : [];
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          // known field names with hostile values, plus unknown names
          body: fc.dictionary(fc.oneof(fc.constantFrom(...(fields.length ? fields : ["x"])), fc.string({ maxLength: 8 })), hostileValue, { maxKeys: 4 }),
          query: fc.dictionary(fc.constantFrom("limit", "starting_after", "status", "type", "created_after", "zz"), fc.string({ maxLength: 12 }), { maxKeys: 3 }),
          id: fc.oneof(fc.constant(String(deviceId)), fc.string({ maxLength: 12 }), fc.constantFrom("0", "-1", "1e9", "99999999999", "evt_x", "../x")),
        }),
        async ({ body, query, id }) => {
          const before = await snapshot(db());
          const qs = new URLSearchParams(query).toString();
          const path = (r.param ? op.path.replace(`{${r.param[0]}}`, encodeURIComponent(id)) : op.path) + (qs ? `?${qs}` : "");
          const res = await call(handler, op.method.toUpperCase(), path, {
            key,
            body: op.method === "post" || op.method === "patch" ? body : undefined,
            params: r.param ? { [r.param[1]]: id } : {},
          });
          expect(res.status, JSON.stringify(res.body)).toBeLessThan(500);
          if (res.status >= 400) {
            expect(typeof res.body.error.code).toBe("string");
            expect(typeof res.body.error.message).toBe("string");
            expect(await snapshot(db())).toEqual(before);
          }
        },
      ),
      { numRuns: 15 },
    );
  });
});
