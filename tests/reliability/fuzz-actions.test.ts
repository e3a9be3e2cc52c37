import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { truncateAll } from "../support/db";
import { startReceiver, type Receiver } from "../support/receiver";
import { actAs } from "../support/session";
import { ACTION_INPUTS, loadActions, NOT_ORG_SCOPED } from "./support/action-inputs";
import { snapshotDatabase, useReliabilityDatabase } from "./support/db";
import { seedTenants, type Tenants } from "./support/tenants";

// Bad input at the server actions, called directly as org A's owner (who may do everything): malformed FormData
// (missing fields, arrays where strings are expected, 1 MB strings, bad JSON in __json), oversized and nonsense
// ids, and ids of another org. Every call must come back ok:false with a message, and change nothing in the
// database (every table compared; rate_limits left out, as a refused test event may count against the org's limit).
const MB = "x".repeat(1024 * 1024);
const SKIP = ["rate_limits"];
const actions = (await loadActions()).filter((a) => !(a.name in NOT_ORG_SCOPED) && ACTION_INPUTS[a.name]);

/** The fields of a realistic input, whichever form it takes (plain object or FormData with __json). */
function fieldsOf(input: Record<string, unknown> | FormData): Record<string, unknown> {
  if (!(input instanceof FormData)) return { ...input };
  return JSON.parse(String(input.get("__json")));
}

function toForm(fields: Record<string, unknown>, extra: [string, string][] = []): FormData {
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) {
    if (Array.isArray(v)) for (const item of v) fd.append(`${k}[]`, String(item));
    else fd.append(k, typeof v === "object" && v !== null ? JSON.stringify(v) : String(v));
  }
  for (const [k, v] of extra) fd.append(k, v);
  return fd;
}

type Variant = [label: string, input: FormData | Record<string, unknown>];

function variants(name: string, t: Tenants, receiverUrl: string): Variant[] {
  const spec = ACTION_INPUTS[name];
  const { A, B } = t;
  const fields = fieldsOf(spec.build(A.slug, A, t, receiverUrl));
  const keys = Object.keys(fields).filter((k) => k !== "orgSlug");
  const ids = keys.filter((k) => k === "id" || /Id$/.test(k));
  const out: Variant[] = [
    ["missing fields", toForm({ orgSlug: A.slug })],
    ["missing fields (plain object)", { orgSlug: A.slug }],
    ["arrays where strings are expected", toForm(Object.fromEntries([["orgSlug", A.slug], ...keys.map((k) => [k, ["a", "b"]])]))],
    ["1 MB strings", toForm(Object.fromEntries([["orgSlug", A.slug], ...keys.map((k) => [k, MB])]))],
    ["1 MB strings in __json", toForm({ orgSlug: A.slug }, [["__json", JSON.stringify(Object.fromEntries(keys.map((k) => [k, MB])))]])],
    ["bad JSON in __json", toForm({ orgSlug: A.slug }, [["__json", '{"name": "x", ']])],
    ["__json that is not an object", toForm({ orgSlug: A.slug }, [["__json", "[1,2,3]"]])],
    ["objects where strings are expected", Object.fromEntries([["orgSlug", A.slug], ...keys.map((k) => [k, { nested: { deep: [1, 2] } }])])],
    ["1 MB org slug", { ...fields, orgSlug: MB }],
    ["array org slug", { ...fields, orgSlug: [A.slug, B.slug] }],
  ];
  for (const bad of ["0", "-1", "1.5", "1e308", "99999999999999999999", "NaN", "0x10", " ", "1; drop table users"]) {
    if (ids.length) out.push([`id ${JSON.stringify(bad)}`, { ...fields, ...Object.fromEntries(ids.map((k) => [k, bad])) }]);
  }
  if (spec.refersToIds) out.push(["ids of another org", spec.build(A.slug, B, t, receiverUrl)]);
  return out;
}

describe("bad input: server actions called directly", () => {
  const t = useReliabilityDatabase({ truncate: false });
  let receiver: Receiver;
  let tenants: Tenants;
  beforeEach(async () => {
    receiver ??= await startReceiver();
    await truncateAll(t.db);
    tenants = await seedTenants(t.db, receiver.url);
  });
  afterAll(async () => {
    actAs(null);
    await receiver?.close();
  });

  it.each(actions.map((a) => [a.name, a] as const))("%s: malformed FormData, oversized values and other orgs' ids → ok:false, no change", async (name, action) => {
    const before = await snapshotDatabase(t.db, {}, SKIP);
    actAs(tenants.ownerA.id);
    for (const [label, input] of variants(name, tenants, receiver.url)) {
      let state: { ok: boolean; message?: string } | null;
      try {
        state = (await action.fn(null, input)) as typeof state;
      } catch (err) {
        throw new Error(`${name} / ${label}: threw instead of answering: ${(err as Error).message}`);
      }
      expect(state?.ok, `${name} / ${label}: accepted (${state?.message})`).toBe(false);
      expect(state?.message, `${name} / ${label}: no message`).toBeTruthy();
      expect(state?.message, `${name} / ${label}: generic failure instead of a clear refusal`).not.toMatch(/went wrong on our side/);
      expect(await snapshotDatabase(t.db, {}, SKIP), `${name} / ${label}: changed the database`).toEqual(before);
    }
    actAs(null);
  });
});
