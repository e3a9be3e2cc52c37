import { describe, expect, it } from "vitest";
import { events, webhookSecrets } from "@/db/schema";
import { encryptSecret } from "@/lib/crypto/encryption";
import { useTestDatabase } from "../support/db";
import { insertOrg, insertUser } from "../support/fixtures";
import { actAs } from "../support/session";
import { insertInbox, insertWebhookWithSecrets, newSecret, readRequests, sendToInbox, signedHeaders } from "./helpers";

const db = useTestDatabase();

async function setup() {
  const user = await insertUser(db());
  const org = await insertOrg(db(), user.id, "acme");
  const inbox = await insertInbox(db(), org.id);
  actAs(user.id);
  return { user, org, inbox };
}

/** A Signalpost-like JSON body naming the webhook it was sent for. */
const envelope = (webhookId: number, status = "online") =>
  JSON.stringify({ eventId: "evt_x", eventActivity: `device.status.${status}`, webhookId, webhookName: "n", data: { status } });

async function onlyVerdict(slug: string, inboxId: number) {
  const { status, json } = await readRequests(slug, inboxId);
  expect(status).toBe(200);
  expect(json.requests).toHaveLength(1);
  return json.requests[0].signature;
}

describe("signature verdicts on the inbox page", () => {
  it("verifies a request signed with the webhook's current secret and names the webhook", async () => {
    const { org, inbox } = await setup();
    const secret = newSecret();
    const hook = await insertWebhookWithSecrets(db(), org.id, "Alerts", [{ secret }]);
    await insertWebhookWithSecrets(db(), org.id, "Other", [{ secret: newSecret() }]);
    const body = envelope(hook.id);
    const headers = signedHeaders(secret, body);
    await sendToInbox(inbox.token, { body, headers });
    const verdict = await onlyVerdict("acme", inbox.id);
    expect(verdict).toEqual({
      status: "verified",
      webhookId: hook.id,
      webhookName: "Alerts",
      rotatedOut: false,
      timestamp: Number(headers["webhook-timestamp"]),
    });
  });

  it("verifies a request signed by a rotated-out secret that is still in its transition period", async () => {
    const { org, inbox } = await setup();
    const old = newSecret();
    const hook = await insertWebhookWithSecrets(db(), org.id, "Rotated", [
      { secret: newSecret() },
      { secret: old, expiresAt: new Date(Date.now() + 3600_000) },
    ]);
    const body = envelope(hook.id);
    await sendToInbox(inbox.token, { body, headers: signedHeaders(old, body) });
    expect(await onlyVerdict("acme", inbox.id)).toMatchObject({ status: "verified", webhookName: "Rotated", rotatedOut: true });
  });

  it("verifies a delivery that carries two signatures (during a rotation) when either matches", async () => {
    const { org, inbox } = await setup();
    const current = newSecret();
    await insertWebhookWithSecrets(db(), org.id, "Both", [{ secret: current }]);
    const body = '{"plain":true}';
    const headers = signedHeaders(current, body);
    headers["webhook-signature"] = `v1,${Buffer.alloc(32).toString("base64")} ${headers["webhook-signature"]}`;
    await sendToInbox(inbox.token, { body, headers });
    expect(await onlyVerdict("acme", inbox.id)).toMatchObject({ status: "verified", webhookName: "Both" });
  });

  it("calls a changed body tampered", async () => {
    const { org, inbox } = await setup();
    const secret = newSecret();
    const hook = await insertWebhookWithSecrets(db(), org.id, "Alerts", [{ secret }]);
    const headers = signedHeaders(secret, envelope(hook.id, "online"));
    await sendToInbox(inbox.token, { body: envelope(hook.id, "offline"), headers });
    const verdict = await onlyVerdict("acme", inbox.id);
    expect(verdict).toMatchObject({ status: "invalid", reason: "tampered", webhookName: "Alerts" });
    expect(verdict.status === "invalid" && verdict.message).toMatch(/^Tampered body/);
  });

  it("calls a changed body tampered when its webhook-id is one of the org's events (custom bodies)", async () => {
    const { org, inbox } = await setup();
    const secret = newSecret();
    await insertWebhookWithSecrets(db(), org.id, "Custom", [{ secret }]);
    const id = "evt_01JD0000000000000000000000";
    await db().insert(events).values({ id, orgId: org.id, type: "device.status.online", payload: {} });
    const headers = signedHeaders(secret, "status=online", { id });
    await sendToInbox(inbox.token, { body: "status=offline", headers: { ...headers, "content-type": "text/plain" } });
    expect(await onlyVerdict("acme", inbox.id)).toMatchObject({ status: "invalid", reason: "tampered" });
  });

  it("calls a signature by a secret the org does not have an unknown secret", async () => {
    const { org, inbox } = await setup();
    await insertWebhookWithSecrets(db(), org.id, "Alerts", [{ secret: newSecret() }]);
    const body = '{"hello":1}';
    await sendToInbox(inbox.token, { body, headers: signedHeaders(newSecret(), body) });
    const verdict = await onlyVerdict("acme", inbox.id);
    expect(verdict).toMatchObject({ status: "invalid", reason: "unknown_secret" });
    expect(verdict.status === "invalid" && verdict.message).toMatch(/^Unknown secret/);
  });

  it("does not accept another org's webhook secret", async () => {
    const { inbox } = await setup();
    const otherOwner = await insertUser(db());
    const otherOrg = await insertOrg(db(), otherOwner.id, "other");
    const secret = newSecret();
    const hook = await insertWebhookWithSecrets(db(), otherOrg.id, "Theirs", [{ secret }]);
    const body = envelope(hook.id);
    await sendToInbox(inbox.token, { body, headers: signedHeaders(secret, body) });
    expect(await onlyVerdict("acme", inbox.id)).toMatchObject({ status: "invalid", reason: "unknown_secret" });
  });

  it("says when the signing secret has expired", async () => {
    const { org, inbox } = await setup();
    const old = newSecret();
    const hook = await insertWebhookWithSecrets(db(), org.id, "Expired", [
      { secret: newSecret() },
      { secret: old, expiresAt: new Date(Date.now() - 60_000) },
    ]);
    const body = envelope(hook.id);
    await sendToInbox(inbox.token, { body, headers: signedHeaders(old, body) });
    const verdict = await onlyVerdict("acme", inbox.id);
    expect(verdict).toMatchObject({ status: "invalid", reason: "unknown_secret", webhookName: "Expired" });
    expect(verdict.status === "invalid" && verdict.message).toMatch(/expired/);
  });

  it("calls a timestamp more than 5 minutes before arrival too old", async () => {
    const { org, inbox } = await setup();
    const secret = newSecret();
    await insertWebhookWithSecrets(db(), org.id, "Alerts", [{ secret }]);
    const body = "{}";
    await sendToInbox(inbox.token, { body, headers: signedHeaders(secret, body, { at: new Date(Date.now() - 10 * 60_000) }) });
    const verdict = await onlyVerdict("acme", inbox.id);
    expect(verdict).toMatchObject({ status: "invalid", reason: "timestamp_too_old", webhookName: "Alerts" });
  });

  it("calls incomplete webhook-* headers invalid and says which is missing", async () => {
    const { inbox } = await setup();
    await sendToInbox(inbox.token, { body: "{}", headers: { "webhook-id": "evt_1", "webhook-signature": "v1,abc" } });
    const verdict = await onlyVerdict("acme", inbox.id);
    expect(verdict).toMatchObject({ status: "invalid", reason: "malformed" });
    expect(verdict.status === "invalid" && verdict.message).toContain("webhook-timestamp");
  });

  it("calls a request without webhook-* headers unsigned", async () => {
    const { org, inbox } = await setup();
    await insertWebhookWithSecrets(db(), org.id, "Alerts", [{ secret: newSecret() }]);
    await sendToInbox(inbox.token, { body: '{"a":1}', headers: { "content-type": "application/json" } });
    expect(await onlyVerdict("acme", inbox.id)).toEqual({ status: "unsigned" });
  });

  it("verifies on read: a secret added after the request arrived counts, and one deleted stops counting", async () => {
    const { org, inbox } = await setup();
    const secret = newSecret();
    const body = '{"late":true}';
    await sendToInbox(inbox.token, { body, headers: signedHeaders(secret, body) });
    expect(await onlyVerdict("acme", inbox.id)).toMatchObject({ status: "invalid", reason: "unknown_secret" });
    const hook = await insertWebhookWithSecrets(db(), org.id, "Late", [{ secret }]);
    expect(await onlyVerdict("acme", inbox.id)).toMatchObject({ status: "verified", webhookId: hook.id });
    await db().delete(webhookSecrets);
    expect(await onlyVerdict("acme", inbox.id)).toMatchObject({ status: "invalid" });
    // and a re-encrypted copy of the same secret verifies again
    await db().insert(webhookSecrets).values({ orgId: org.id, webhookId: hook.id, secretEncrypted: encryptSecret(secret) });
    expect(await onlyVerdict("acme", inbox.id)).toMatchObject({ status: "verified" });
  });

  it("verifies a request whose body is larger than the excerpt sent to the page", async () => {
    const { org, inbox } = await setup();
    const secret = newSecret();
    await insertWebhookWithSecrets(db(), org.id, "Big", [{ secret }]);
    const body = JSON.stringify({ blob: "x".repeat(200_000) });
    await sendToInbox(inbox.token, { body, headers: signedHeaders(secret, body) });
    const { json } = await readRequests("acme", inbox.id);
    expect(json.requests[0].bodyTruncated).toBe(true);
    expect(json.requests[0].body.length).toBeLessThan(body.length);
    expect(json.requests[0].size).toBe(body.length);
    expect(json.requests[0].signature).toMatchObject({ status: "verified", webhookName: "Big" });
  });

  it("lists requests newest first", async () => {
    const { inbox } = await setup();
    for (const n of [1, 2, 3]) await sendToInbox(inbox.token, { body: `n=${n}` });
    const { json } = await readRequests("acme", inbox.id);
    expect(json.requests.map((r) => r.body)).toEqual(["n=3", "n=2", "n=1"]);
    expect(json.total).toBe(3);
    expect(json.inbox).toMatchObject({ id: inbox.id, requestCount: 3 });
  });
});
