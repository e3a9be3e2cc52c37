import "server-only";
import { and, desc, eq, isNull, sql } from "drizzle-orm";
import { queryRows, type Db } from "@/db/client";
import { apiKeys, users, type ApiKeyScope } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { sha256Hex } from "@/lib/crypto/encryption";
import { emitEvents } from "@/lib/delivery/emit";
import { UserError } from "@/lib/errors";
import { randomBase62 } from "@/lib/ids";
import type { ApiKeyCreateInput } from "@/lib/validation/api-keys";

// Org API keys: created and revoked in Settings → API keys, presented as `Authorization: Bearer spk_…` on /api/v1.

export const API_KEY_PREFIX = "spk_";
/** "spk_" + at least 32 base62 characters; anything else is refused before the database is asked. */
export const API_KEY_PATTERN = /^spk_[0-9A-Za-z]{32,128}$/;
const KEY_RANDOM_LENGTH = 40; // ~238 bits
const DISPLAY_LENGTH = API_KEY_PREFIX.length + 6;

export type ApiKeyView = {
  id: number;
  name: string;
  scope: ApiKeyScope;
  prefix: string;
  createdAt: string;
  createdBy: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
  lastUsedIp: string | null;
  state: "active" | "expired" | "revoked";
};

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function stateOf(row: { revokedAt: Date | null; expiresAt: Date | null }, now: Date): ApiKeyView["state"] {
  if (row.revokedAt) return "revoked";
  if (row.expiresAt && row.expiresAt.getTime() <= now.getTime()) return "expired";
  return "active";
}

/** The org's keys, newest first (no secrets: only the display prefix exists). */
export async function listApiKeys(db: Db, orgId: number, now = new Date()): Promise<ApiKeyView[]> {
  const rows = await db
    .select({ key: apiKeys, creatorEmail: users.email })
    .from(apiKeys)
    .leftJoin(users, eq(users.id, apiKeys.createdByUserId))
    .where(eq(apiKeys.orgId, orgId))
    .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id));
  return rows.map(({ key, creatorEmail }) => ({
    id: key.id,
    name: key.name,
    scope: key.scope,
    prefix: key.prefix,
    createdAt: key.createdAt.toISOString(),
    createdBy: creatorEmail,
    expiresAt: iso(key.expiresAt),
    revokedAt: iso(key.revokedAt),
    lastUsedAt: iso(key.lastUsedAt),
    lastUsedIp: key.lastUsedIp,
    state: stateOf(key, now),
  }));
}

const eventData = (row: typeof apiKeys.$inferSelect) => ({ id: row.id, name: row.name, scope: row.scope, prefix: row.prefix });

async function emailOf(db: Db, userId: number): Promise<string | null> {
  const [u] = await db.select({ email: users.email }).from(users).where(eq(users.id, userId));
  return u?.email ?? null;
}

/** Creates a key; the plaintext is returned here once and never stored. Emits api_key.created. */
export async function createApiKey(
  db: Db,
  actor: { orgId: number; userId: number },
  input: ApiKeyCreateInput,
  now = new Date(),
): Promise<{ key: ApiKeyView; secret: string; deliveries: number }> {
  const secret = API_KEY_PREFIX + randomBase62(KEY_RANDOM_LENGTH);
  const expiresAt = input.expiresInDays === "never" ? null : new Date(now.getTime() + Number(input.expiresInDays) * 86_400_000);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(apiKeys)
      .values({
        orgId: actor.orgId,
        name: input.name,
        scope: input.scope,
        keyHash: sha256Hex(secret),
        prefix: secret.slice(0, DISPLAY_LENGTH),
        createdByUserId: actor.userId,
        createdAt: now,
        expiresAt,
      })
      .returning();
    const createdBy = await emailOf(tx, actor.userId);
    const emitted = await emitEvents(
      tx,
      actor.orgId,
      [{ type: "api_key.created", data: { ...eventData(row), expiresAt: iso(expiresAt), createdBy } }],
      now,
    );
    await recordAudit(tx, {
      orgId: actor.orgId,
      actorUserId: actor.userId,
      action: "api_key.created",
      targetType: "api_key",
      targetId: row.id,
      summary: `Created ${row.scope} API key ${row.name} (${row.prefix}…)`,
      details: { scope: row.scope, prefix: row.prefix, expiresAt: iso(expiresAt) },
    });
    const [key] = (await listApiKeys(tx, actor.orgId, now)).filter((k) => k.id === row.id);
    return { key, secret, deliveries: emitted.deliveries };
  });
}

/** Revokes a key of the org: refused from this commit on. Emits api_key.revoked. Revoking twice is a no-op. */
export async function revokeApiKey(
  db: Db,
  actor: { orgId: number; userId: number },
  keyId: number,
  now = new Date(),
): Promise<{ revoked: boolean; deliveries: number }> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(apiKeys)
      .set({ revokedAt: now, revokedByUserId: actor.userId })
      .where(and(eq(apiKeys.id, keyId), eq(apiKeys.orgId, actor.orgId), isNull(apiKeys.revokedAt)))
      .returning();
    if (!row) {
      const [exists] = await tx.select({ id: apiKeys.id }).from(apiKeys).where(and(eq(apiKeys.id, keyId), eq(apiKeys.orgId, actor.orgId)));
      if (!exists) throw new UserError("That API key does not exist.", undefined, "not_found");
      return { revoked: false, deliveries: 0 };
    }
    const revokedBy = await emailOf(tx, actor.userId);
    const emitted = await emitEvents(tx, actor.orgId, [{ type: "api_key.revoked", data: { ...eventData(row), revokedBy } }], now);
    await recordAudit(tx, {
      orgId: actor.orgId,
      actorUserId: actor.userId,
      action: "api_key.revoked",
      targetType: "api_key",
      targetId: row.id,
      summary: `Revoked API key ${row.name} (${row.prefix}…)`,
      details: { prefix: row.prefix },
    });
    return { revoked: true, deliveries: emitted.deliveries };
  });
}

export type AuthenticatedKey = { id: number; orgId: number; scope: ApiKeyScope; name: string; prefix: string };

export type KeyCheck =
  | { ok: true; key: AuthenticatedKey }
  /** `deliveries`: api_key.expired was just recorded and queued this many deliveries. */
  | { ok: false; deliveries: number };

/** last_used_at/from are written at most this often per key (and whenever the address changes). */
const LAST_USED_GRANULARITY_MS = 10_000;

/**
 * Checks a presented key: well-formed, known, not revoked, not expired — read from the database on every request,
 * so a revocation takes effect at once. An expired key records api_key.expired the first time it is refused.
 */
export async function authenticateApiKey(db: Db, presented: string, ip: string | null, now = new Date()): Promise<KeyCheck> {
  if (!API_KEY_PATTERN.test(presented)) return { ok: false, deliveries: 0 };
  const [row] = await db.select().from(apiKeys).where(eq(apiKeys.keyHash, sha256Hex(presented))).limit(1);
  if (!row || row.revokedAt) return { ok: false, deliveries: 0 };
  if (row.expiresAt && row.expiresAt.getTime() <= now.getTime()) {
    if (row.expiredEventAt) return { ok: false, deliveries: 0 };
    const deliveries = await db.transaction(async (tx) => {
      // the first refusal wins the compare-and-set; concurrent ones record nothing
      const [won] = await tx
        .update(apiKeys)
        .set({ expiredEventAt: now })
        .where(and(eq(apiKeys.id, row.id), isNull(apiKeys.expiredEventAt)))
        .returning({ id: apiKeys.id });
      if (!won) return 0;
      const emitted = await emitEvents(tx, row.orgId, [{ type: "api_key.expired", data: { ...eventData(row), expiresAt: iso(row.expiresAt) } }], now);
      await recordAudit(tx, {
        orgId: row.orgId,
        actorUserId: null,
        actorApiKeyId: null,
        action: "api_key.expired",
        targetType: "api_key",
        targetId: row.id,
        summary: `API key ${row.name} (${row.prefix}…) expired and was refused`,
        details: { prefix: row.prefix, expiresAt: iso(row.expiresAt) },
      });
      return emitted.deliveries;
    });
    return { ok: false, deliveries };
  }
  const stale = !row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() >= LAST_USED_GRANULARITY_MS || row.lastUsedIp !== ip;
  if (stale) {
    await queryRows(db, sql`update api_keys set last_used_at = ${now.toISOString()}::timestamptz, last_used_ip = ${ip} where id = ${row.id}`);
  }
  return { ok: true, key: { id: row.id, orgId: row.orgId, scope: row.scope, name: row.name, prefix: row.prefix } };
}
