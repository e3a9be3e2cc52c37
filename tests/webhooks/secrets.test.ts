import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { webhookSecrets, webhooks } from "@/db/schema";
import { createSecret, getCurrentSecret, getSigningSecrets, rotateSecret } from "@/lib/webhooks/secrets";
import { webhookSettingsFromRow, encryptAuth } from "@/lib/webhooks/settings";
import { signRequest } from "@/lib/webhooks/signing";
import { useTestDatabase } from "../support/db";
import { insertOrg, insertUser } from "../support/fixtures";

const db = useTestDatabase();

async function hook(name = "h") {
  const user = await insertUser(db());
  const org = await insertOrg(db(), user.id);
  const [row] = await db()
    .insert(webhooks)
    .values({ orgId: org.id, name, url: "http://127.0.0.1:9/x", events: ["device.status.online"] })
    .returning();
  return { org, row };
}

const body = { method: "POST" as const, url: "http://x/", headers: {}, body: '{"a":1}' };

describe("webhook secrets", () => {
  it("are encrypted at rest and come back decrypted, current first", async () => {
    const { org, row } = await hook();
    const s = await createSecret(db(), org.id, row.id);
    const [stored] = await db().select().from(webhookSecrets);
    expect(stored.secretEncrypted).not.toContain(s.slice(6));
    expect(stored.secretEncrypted.startsWith("v2.")).toBe(true);
    expect((await getSigningSecrets(db(), [row.id], new Date())).get(row.id)).toEqual([s]);
    expect(await getCurrentSecret(db(), org.id, row.id)).toBe(s);
    expect(await getCurrentSecret(db(), org.id + 999, row.id)).toBeNull();
  });

  it("rotation with a transition keeps both valid until it ends, then only the new one", async () => {
    const { org, row } = await hook();
    const old = await createSecret(db(), org.id, row.id);
    const t0 = new Date();
    const { secret: fresh, previousExpiresAt } = await rotateSecret(db(), { orgId: org.id, webhookId: row.id, transitionSeconds: 3600, now: t0 });
    expect(previousExpiresAt!.getTime()).toBe(t0.getTime() + 3600_000);
    const during = (await getSigningSecrets(db(), [row.id], new Date(t0.getTime() + 1000))).get(row.id)!;
    expect(during).toEqual([fresh, old]);
    // a delivery in the overlap verifies with either secret
    const req = signRequest(body, "evt_x", new Date(), during);
    expect(new Webhook(fresh).verify(req.body, req.headers)).toEqual({ a: 1 });
    expect(new Webhook(old).verify(req.body, req.headers)).toEqual({ a: 1 });
    const after = (await getSigningSecrets(db(), [row.id], new Date(t0.getTime() + 3601_000))).get(row.id)!;
    expect(after).toEqual([fresh]);
  });

  it("rotation without a transition ends the old secret at once, and at most two are ever valid", async () => {
    const { org, row } = await hook();
    await createSecret(db(), org.id, row.id);
    const { secret: a } = await rotateSecret(db(), { orgId: org.id, webhookId: row.id, transitionSeconds: 86_400 });
    const { secret: b } = await rotateSecret(db(), { orgId: org.id, webhookId: row.id, transitionSeconds: 86_400 });
    expect((await getSigningSecrets(db(), [row.id], new Date())).get(row.id)).toEqual([b, a]);
    const { secret: c } = await rotateSecret(db(), { orgId: org.id, webhookId: row.id, transitionSeconds: 0 });
    expect((await getSigningSecrets(db(), [row.id], new Date())).get(row.id)).toEqual([c]);
  });

  it("loads many webhooks in one call", async () => {
    const one = await hook("one");
    const two = await hook("two");
    const s1 = await createSecret(db(), one.org.id, one.row.id);
    const s2 = await createSecret(db(), two.org.id, two.row.id);
    const map = await getSigningSecrets(db(), [one.row.id, two.row.id, 4242], new Date());
    expect(map.get(one.row.id)).toEqual([s1]);
    expect(map.get(two.row.id)).toEqual([s2]);
    expect(map.has(4242)).toBe(false);
  });

  it("an undecryptable secret (changed key) leaves only its own webhook without secrets", async () => {
    const good = await hook("good");
    const bad = await hook("bad");
    const s1 = await createSecret(db(), good.org.id, good.row.id);
    // sealed with another key: same format, wrong authentication tag
    await db().insert(webhookSecrets).values({
      orgId: bad.org.id,
      webhookId: bad.row.id,
      secretEncrypted: "v1.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA.AAAA",
    });
    const map = await getSigningSecrets(db(), [good.row.id, bad.row.id], new Date());
    expect(map.get(good.row.id)).toEqual([s1]);
    expect(map.has(bad.row.id)).toBe(false);
  });
});

describe("webhookSettingsFromRow", () => {
  it("decrypts stored credentials", async () => {
    const { org } = await hook();
    const id = 900_001;
    const [row] = await db()
      .insert(webhooks)
      .values({
        id,
        orgId: org.id,
        name: "auth",
        url: "https://x.example/",
        events: ["device.created"],
        authType: "basic",
        authEncrypted: encryptAuth({ orgId: org.id, webhookId: id }, { type: "basic", username: "u", password: "p" }),
        headers: [{ name: "X-A", value: "1" }],
      })
      .returning();
    expect(row.authEncrypted).not.toContain('"p"');
    expect(webhookSettingsFromRow(row)).toMatchObject({
      id: row.id,
      name: "auth",
      auth: { type: "basic", username: "u", password: "p" },
      headers: [{ name: "X-A", value: "1" }],
      format: "json",
      method: "POST",
    });
  });
});
