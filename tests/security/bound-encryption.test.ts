import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { webhookSecrets, webhooks } from "@/db/schema";
import { decryptSecret, encryptSecret, resetEncryptionKeyCache } from "@/lib/crypto/encryption";
import { contextsFor } from "@/lib/delivery/contexts";
import { getCurrentSecret, getSigningSecrets } from "@/lib/webhooks/secrets";
import { resealLegacyWebhookValues } from "@/lib/webhooks/reseal";
import { webhookSettingsFromRow } from "@/lib/webhooks/settings";
import { useTestDatabase } from "../support/db";
import { twoOrgs } from "../support/fixtures";
import { createThroughForm } from "./helpers";

// Issue #16 item 11: every encrypted webhook value (credentials, signing secrets, secret header/query values) is
// bound to its row with AES-GCM associated data (org id + webhook id + what the value is). A ciphertext copied to
// another row, tampered with, or read with another key does not decrypt; values sealed before ("v1") still do.
const db = useTestDatabase();
const savedKey = process.env.APP_ENCRYPTION_KEY;

afterEach(() => {
  if (savedKey === undefined) delete process.env.APP_ENCRYPTION_KEY;
  else process.env.APP_ENCRYPTION_KEY = savedKey;
  resetEncryptionKeyCache();
});

function tamper(sealed: string, part: 1 | 2 | 3): string {
  const parts = sealed.split(".");
  const bytes = Buffer.from(parts[part], "base64url");
  bytes[0] ^= 0x01;
  parts[part] = bytes.toString("base64url");
  return parts.join(".");
}

describe("encryptSecret with a context (AES-GCM associated data)", () => {
  it("decrypts only with the same context, never when tampered with, never with another key; v1 values still decrypt", () => {
    const sealed = encryptSecret("s3cret", "webhook:1:2:auth");
    expect(sealed.startsWith("v2.")).toBe(true);
    expect(decryptSecret(sealed, "webhook:1:2:auth")).toBe("s3cret");
    expect(() => decryptSecret(sealed, "webhook:1:3:auth")).toThrow();
    expect(() => decryptSecret(sealed, "webhook:9:2:auth")).toThrow();
    expect(() => decryptSecret(sealed, "webhook:1:2:signing-secret")).toThrow();
    expect(() => decryptSecret(sealed)).toThrow();
    // a bound value relabelled as v1 (to skip the associated data) does not decrypt either
    expect(() => decryptSecret(sealed.replace(/^v2\./, "v1."), "webhook:1:2:auth")).toThrow();
    for (const part of [1, 2, 3] as const) expect(() => decryptSecret(tamper(sealed, part), "webhook:1:2:auth")).toThrow();

    const legacy = encryptSecret("old");
    expect(legacy.startsWith("v1.")).toBe(true);
    expect(decryptSecret(legacy, "webhook:1:2:auth")).toBe("old");

    process.env.APP_ENCRYPTION_KEY = Buffer.alloc(32, 7).toString("base64");
    resetEncryptionKeyCache();
    expect(() => decryptSecret(sealed, "webhook:1:2:auth")).toThrow();
    expect(() => decryptSecret(legacy)).toThrow();
  });
});

describe("webhook values are bound to their row", () => {
  async function twoHooks() {
    const { orgA, orgB, ownerA, ownerB } = await twoOrgs(db());
    const form = {
      authType: "bearer",
      authToken: "tok-A-123456",
      headers: [{ name: "X-Api-Key", value: "key-A-123456", secret: true }],
      queryParams: [{ name: "key", value: "q-A-123456", secret: true }],
    };
    const a = await createThroughForm(db(), { orgId: orgA.id, userId: ownerA.id }, orgA.slug, { name: "a", ...form });
    const a2 = await createThroughForm(db(), { orgId: orgA.id, userId: ownerA.id }, orgA.slug, { name: "a2", ...form, authToken: "tok-A2" });
    const b = await createThroughForm(db(), { orgId: orgB.id, userId: ownerB.id }, orgB.slug, { name: "b", ...form, authToken: "tok-B" });
    return { a, a2, b };
  }

  it("stores every webhook secret as v2 and reads them back", async () => {
    const { a } = await twoHooks();
    const [row] = await db().select().from(webhooks).where(eq(webhooks.id, a.id));
    expect(row.authEncrypted!.startsWith("v2.")).toBe(true);
    expect(row.headers[0]).toMatchObject({ name: "X-Api-Key", value: "", secret: true });
    expect(row.headers[0].sealed!.startsWith("v2.")).toBe(true);
    expect(JSON.stringify(row)).not.toMatch(/tok-A-123456|key-A-123456|q-A-123456/);
    const [secret] = await db().select().from(webhookSecrets).where(eq(webhookSecrets.webhookId, a.id));
    expect(secret.secretEncrypted.startsWith("v2.")).toBe(true);
    expect(webhookSettingsFromRow(row)).toMatchObject({
      auth: { type: "bearer", token: "tok-A-123456" },
      headers: [{ name: "X-Api-Key", value: "key-A-123456", secret: true }],
      queryParams: [{ name: "key", value: "q-A-123456", secret: true }],
    });
  });

  it("credentials and secret values copied to another webhook (same org or another) do not decrypt", async () => {
    const { a, a2, b } = await twoHooks();
    const [rowA] = await db().select().from(webhooks).where(eq(webhooks.id, a.id));
    for (const target of [a2, b]) {
      await db().update(webhooks).set({ authEncrypted: rowA.authEncrypted }).where(eq(webhooks.id, target.id));
      const [copied] = await db().select().from(webhooks).where(eq(webhooks.id, target.id));
      expect(() => webhookSettingsFromRow(copied)).toThrow();
      await db().update(webhooks).set({ authEncrypted: null, authType: "none", headers: rowA.headers }).where(eq(webhooks.id, target.id));
      const [withHeader] = await db().select().from(webhooks).where(eq(webhooks.id, target.id));
      expect(() => webhookSettingsFromRow(withHeader)).toThrow();
    }
    // the delivery engine turns it into a plain error for that webhook only
    const contexts = await contextsFor(
      db(),
      [b, a].map((w) => ({ webhookId: w.id, webhookVersion: -1 }) as never),
      new Date(),
    );
    expect(contexts.get(b.id)).toEqual({ error: expect.stringMatching(/could not be decrypted/) });
    expect(contexts.get(a.id)).toHaveProperty("settings");
  });

  it("a signing secret copied to another webhook does not decrypt; a tampered one does not either", async () => {
    const { a, b } = await twoHooks();
    const [secretA] = await db().select().from(webhookSecrets).where(eq(webhookSecrets.webhookId, a.id));
    await db().update(webhookSecrets).set({ secretEncrypted: secretA.secretEncrypted }).where(eq(webhookSecrets.webhookId, b.id));
    expect((await getSigningSecrets(db(), [b.id], new Date())).get(b.id)).toBeUndefined();
    await expect(getCurrentSecret(db(), b.orgId, b.id)).rejects.toThrow();
    expect((await getSigningSecrets(db(), [a.id], new Date())).get(a.id)).toHaveLength(1);
    await db().update(webhookSecrets).set({ secretEncrypted: tamper(secretA.secretEncrypted, 3) }).where(eq(webhookSecrets.webhookId, a.id));
    expect((await getSigningSecrets(db(), [a.id], new Date())).get(a.id)).toBeUndefined();
  });

  it("a changed key does not decrypt stored values", async () => {
    const { a } = await twoHooks();
    process.env.APP_ENCRYPTION_KEY = Buffer.alloc(32, 9).toString("base64");
    resetEncryptionKeyCache();
    const [row] = await db().select().from(webhooks).where(eq(webhooks.id, a.id));
    expect(() => webhookSettingsFromRow(row)).toThrow();
    expect((await getSigningSecrets(db(), [a.id], new Date())).get(a.id)).toBeUndefined();
  });
});

describe("values sealed before binding (v1)", () => {
  it("keep decrypting, and are resealed bound to their row at server start", async () => {
    const { orgA } = await twoOrgs(db());
    const [row] = await db()
      .insert(webhooks)
      .values({
        orgId: orgA.id,
        name: "legacy",
        url: "https://hooks.example.com/in",
        events: ["device.created"],
        authType: "basic",
        authEncrypted: encryptSecret(JSON.stringify({ username: "u", password: "legacy-pw" })),
      })
      .returning();
    await db().insert(webhookSecrets).values({ orgId: orgA.id, webhookId: row.id, secretEncrypted: encryptSecret("whsec_bGVnYWN5") });
    expect(webhookSettingsFromRow(row).auth).toEqual({ type: "basic", username: "u", password: "legacy-pw" });
    expect((await getSigningSecrets(db(), [row.id], new Date())).get(row.id)).toEqual(["whsec_bGVnYWN5"]);

    expect(await resealLegacyWebhookValues(db())).toBe(2);
    expect(await resealLegacyWebhookValues(db())).toBe(0);
    const [after] = await db().select().from(webhooks).where(eq(webhooks.id, row.id));
    const [secret] = await db().select().from(webhookSecrets).where(eq(webhookSecrets.webhookId, row.id));
    expect(after.authEncrypted!.startsWith("v2.")).toBe(true);
    expect(secret.secretEncrypted.startsWith("v2.")).toBe(true);
    expect(webhookSettingsFromRow(after).auth).toEqual({ type: "basic", username: "u", password: "legacy-pw" });
    expect((await getSigningSecrets(db(), [row.id], new Date())).get(row.id)).toEqual(["whsec_bGVnYWN5"]);
    expect(() => decryptSecret(after.authEncrypted!, `webhook:${orgA.id}:${row.id + 1}:auth`)).toThrow();
  });
});
