import { and, eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { apiKeys, auditLog, devices, events } from "@/db/schema";
import { GET as listRoute, POST as createRoute } from "@/app/api/v1/devices/route";
import { createApiKeyAction, revokeApiKeyAction, type CreatedApiKey } from "@/lib/actions/api-keys";
import { listApiKeys, revokeApiKey } from "@/lib/api/keys";
import { resetApiRateLimits } from "@/lib/api/route";
import { listAuditEntries } from "@/lib/audit";
import { sha256Hex } from "@/lib/crypto/encryption";
import { EVENT_CATALOG } from "@/lib/events/catalog";
import { actAs } from "../support/session";
import { useTestDatabase } from "../support/db";
import { call, orgsWithKeys } from "./helpers";

const db = useTestDatabase();

afterEach(() => {
  delete process.env.API_RATE_LIMIT_BURST;
  delete process.env.API_RATE_LIMIT_PER_SECOND;
  resetApiRateLimits();
});

describe("API keys: create, list, revoke (Settings → API keys)", () => {
  it("an owner creates a key: spk_ + ≥32 base62 shown once, only its hash and prefix stored, api_key.created emitted and audited", async () => {
    const cast = await orgsWithKeys(db());
    actAs(cast.ownerA.id);
    const res = await createApiKeyAction(null, { orgSlug: "org-a", name: "CI", scope: "write", expiresInDays: "30" });
    expect(res?.ok).toBe(true);
    const created = res!.data as CreatedApiKey;
    expect(created.secret).toMatch(/^spk_[0-9A-Za-z]{32,}$/);
    const [row] = await db().select().from(apiKeys).where(eq(apiKeys.id, created.id));
    expect(row.keyHash).toBe(sha256Hex(created.secret));
    expect(JSON.stringify(row)).not.toContain(created.secret);
    expect(created.secret.startsWith(row.prefix)).toBe(true);
    expect(row.expiresAt!.getTime()).toBeGreaterThan(Date.now() + 29 * 86_400_000);
    const evts = await db().select().from(events).where(and(eq(events.orgId, cast.orgA.id), eq(events.type, "api_key.created")));
    expect(evts.map((e) => e.payload.name)).toContain("CI");
    const audit = await db().select().from(auditLog).where(eq(auditLog.action, "api_key.created"));
    expect(audit.some((a) => a.actorUserId === cast.ownerA.id && a.summary.includes("CI"))).toBe(true);
    // the list never holds a secret
    const list = await listApiKeys(db(), cast.orgA.id);
    expect(JSON.stringify(list)).not.toContain(created.secret);
  });

  it("a member can list but neither create nor revoke; B's owner cannot touch A's keys", async () => {
    const cast = await orgsWithKeys(db());
    actAs(cast.memberA.id);
    const create = await createApiKeyAction(null, { orgSlug: "org-a", name: "sneaky", scope: "write" });
    expect(create?.ok).toBe(false);
    const revoke = await revokeApiKeyAction(null, { orgSlug: "org-a", keyId: String(cast.writeA.key.id) });
    expect(revoke?.ok).toBe(false);
    actAs(cast.ownerB.id);
    const cross = await revokeApiKeyAction(null, { orgSlug: "org-b", keyId: String(cast.writeA.key.id) });
    expect(cross?.ok).toBe(false);
    const [row] = await db().select().from(apiKeys).where(eq(apiKeys.id, cast.writeA.key.id));
    expect(row.revokedAt).toBeNull();
    expect((await db().select().from(apiKeys).where(eq(apiKeys.name, "sneaky"))).length).toBe(0);
  });

  it("hostile form input is refused field by field and creates nothing", async () => {
    const cast = await orgsWithKeys(db());
    actAs(cast.ownerA.id);
    const before = (await db().select().from(apiKeys)).length;
    for (const bad of [{ name: "", scope: "write" }, { name: "x".repeat(101), scope: "write" }, { name: "ok", scope: "admin" }, { name: "ok", scope: "read", expiresInDays: "-1" }]) {
      const res = await createApiKeyAction(null, { orgSlug: "org-a", ...bad });
      expect(res?.ok).toBe(false);
      expect(Object.keys(res?.errors ?? {}).length).toBeGreaterThan(0);
    }
    expect((await db().select().from(apiKeys)).length).toBe(before);
  });

  it("the catalog has api_key.created / revoked / expired, subscribable", () => {
    for (const type of ["api_key.created", "api_key.revoked", "api_key.expired"]) {
      expect(EVENT_CATALOG.find((e) => e.type === type)?.subscribable).toBe(true);
    }
  });
});

describe("Bearer authentication on /api/v1", () => {
  it("missing, malformed, unknown, revoked and expired keys all get the same 401", async () => {
    const cast = await orgsWithKeys(db());
    const expired = await db()
      .insert(apiKeys)
      .values({ orgId: cast.orgA.id, name: "old", scope: "write", keyHash: sha256Hex(`spk_${"e".repeat(40)}`), prefix: "spk_eeeeee", expiresAt: new Date(Date.now() - 1000) })
      .returning();
    await revokeApiKey(db(), { orgId: cast.orgA.id, userId: cast.ownerA.id }, cast.readA.key.id);
    const answers = [];
    for (const key of [null, "not-a-key", `spk_${"x".repeat(40)}`, cast.readA.secret, `spk_${"e".repeat(40)}`, `${cast.writeA.secret} extra`]) {
      answers.push(await call(listRoute, "GET", "/devices", key === null ? {} : { headers: { authorization: `Bearer ${key}` } }));
    }
    for (const a of answers) {
      expect(a.status).toBe(401);
      expect(a.body).toEqual(answers[0].body);
      expect(a.headers.get("www-authenticate")).toContain("Bearer");
    }
    expect(answers[0].body.error.code).toBe("unauthenticated");
    // the expired key recorded api_key.expired once, however often it is refused
    await call(listRoute, "GET", "/devices", { key: `spk_${"e".repeat(40)}` });
    const expiredEvents = await db().select().from(events).where(eq(events.type, "api_key.expired"));
    expect(expiredEvents).toHaveLength(1);
    expect(expiredEvents[0].payload.id).toBe(expired[0].id);
  });

  it("revoking takes effect on the next request; last used at/from is recorded", async () => {
    const cast = await orgsWithKeys(db());
    const ok = await call(listRoute, "GET", "/devices", { key: cast.writeA.secret, headers: { "x-forwarded-for": "198.51.100.7" } });
    expect(ok.status).toBe(200);
    const [used] = await db().select().from(apiKeys).where(eq(apiKeys.id, cast.writeA.key.id));
    expect(used.lastUsedAt).not.toBeNull();
    expect(used.lastUsedIp).toBe("198.51.100.7");
    actAs(cast.adminA.id);
    expect((await revokeApiKeyAction(null, { orgSlug: "org-a", keyId: String(cast.writeA.key.id) }))?.ok).toBe(true);
    const after = await call(listRoute, "GET", "/devices", { key: cast.writeA.secret });
    expect(after.status).toBe(401);
    expect((await db().select().from(events).where(eq(events.type, "api_key.revoked"))).length).toBe(1);
  });

  it("a read key cannot write (403) and nothing changes", async () => {
    const cast = await orgsWithKeys(db());
    const res = await call(createRoute, "POST", "/devices", { key: cast.readA.secret, body: { udid: "r-1" } });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe("forbidden");
    expect(await db().select().from(devices)).toHaveLength(0);
  });

  it("per-key rate limit: 429 with Retry-After and RateLimit-* headers; other keys unaffected", async () => {
    process.env.API_RATE_LIMIT_BURST = "3";
    process.env.API_RATE_LIMIT_PER_SECOND = "0.5";
    resetApiRateLimits();
    const cast = await orgsWithKeys(db());
    const seen = [];
    for (let i = 0; i < 4; i++) seen.push(await call(listRoute, "GET", "/devices", { key: cast.writeA.secret }));
    expect(seen.map((r) => r.status)).toEqual([200, 200, 200, 429]);
    expect(seen[0].headers.get("ratelimit-limit")).toBe("3");
    expect(seen[0].headers.get("ratelimit-remaining")).toBe("2");
    expect(Number(seen[3].headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(seen[3].headers.get("ratelimit-remaining")).toBe("0");
    expect(seen[3].body.error.code).toBe("rate_limited");
    expect((await call(listRoute, "GET", "/devices", { key: cast.writeB.secret })).status).toBe(200);
  });

  it("a write made with a key is audited with the key as the actor", async () => {
    const cast = await orgsWithKeys(db());
    const res = await call(createRoute, "POST", "/devices", { key: cast.writeA.secret, body: { udid: "audited-1" } });
    expect(res.status).toBe(201);
    const [entry] = await db().select().from(auditLog).where(eq(auditLog.action, "device.created"));
    expect(entry.actorApiKeyId).toBe(cast.writeA.key.id);
    expect(entry.actorUserId).toBeNull();
    const page = await listAuditEntries(db(), cast.orgA.id);
    const shown = page.entries.find((e) => e.action === "device.created")!;
    expect(shown.actorApiKey).toContain("Line A");
    expect(shown.system).toBe(false);
  });
});
