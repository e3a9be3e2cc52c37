import { sql } from "drizzle-orm";
import { queryRows, type Db } from "@/db/client";
import { createDeviceAction } from "@/lib/actions/devices";
import { createInboxAction } from "@/lib/actions/inbox";
import { createApiKeyAction } from "@/lib/actions/api-keys";
import { createWebhookAction } from "@/lib/actions/webhooks";
import { recordDeviceContact } from "@/lib/devices/contact";
import { hashDeviceToken } from "@/lib/devices/tokens";
import { addMembership, insertOrg, insertUser } from "../../support/fixtures";
import { actAs } from "../../support/session";
import { asFormData, webhookForm } from "../../support/webhook-fixtures";
import { queueTestEmail } from "@/lib/email/test-email";

export { webhookForm };

/** What one org holds after `seedTenants`, with the plaintext secrets the real actions handed out. */
export type Tenant = {
  slug: string;
  orgId: number;
  ownerId: number;
  deviceId: number;
  udid: string;
  deviceToken: string;
  webhookId: number;
  webhookName: string;
  webhookUrl: string;
  basicPassword: string;
  bearerToken: string;
  bearerWebhookId: number;
  inboxId: number;
  inboxToken: string;
  deliveryId: number;
  eventId: string;
  apiKeyId: number;
  apiKeySecret: string;
  /** A stored email of the org (the Emails page's [id]). */
  emailId: number;
  /** Strings that identify this org's objects: none may appear in another org's responses. */
  markers: string[];
};


async function ok<T>(label: string, state: Promise<unknown>): Promise<T> {
  const s = (await state) as { ok: boolean; data?: T } | null;
  if (!s?.ok) throw new Error(`fixture ${label} failed: ${JSON.stringify(s)}`);
  return s.data as T;
}


/** One org built through the real actions: a device (token), two webhooks (Basic and Bearer auth), an inbox, a failed delivery. */
async function seedTenant(db: Db, ownerId: number, slug: string, tag: string, receiverUrl: string): Promise<Tenant> {
  const org = await insertOrg(db, ownerId, slug);
  actAs(ownerId);
  const udid = `${tag}-device-udid`;
  const device = await ok<{ deviceId: number; token: string }>(
    "device",
    createDeviceAction(null, { orgSlug: slug, udid, name: `${tag} device name`, tags: `${tag}-tag`, offlineAfterSeconds: "300" }),
  );
  const basicPassword = `${tag}-basic-password-${Math.random().toString(36).slice(2)}`;
  const bearerToken = `${tag}-bearer-token-${Math.random().toString(36).slice(2)}`;
  const webhookName = `${tag} webhook`;
  const webhookUrl = `${receiverUrl}/${tag}-hook`;
  const hook = await ok<{ id: number }>(
    "webhook",
    createWebhookAction(null, asFormData(webhookForm(slug, webhookName, webhookUrl, { authType: "basic", authUsername: `${tag}-user`, authPassword: basicPassword }))),
  );
  const bearer = await ok<{ id: number }>(
    "bearer webhook",
    createWebhookAction(null, asFormData(webhookForm(slug, `${tag} bearer webhook`, `${receiverUrl}/${tag}-bearer`, { authType: "bearer", authToken: bearerToken }))),
  );
  const inbox = await ok<{ id: number; token: string }>("inbox", createInboxAction(null, { orgSlug: slug, name: `${tag} inbox` }));
  const apiKey = await ok<{ id: number; secret: string }>("api key", createApiKeyAction(null, { orgSlug: slug, name: `${tag} api key`, scope: "write" }));
  const [emailId] = await queueTestEmail(db, { userId: ownerId, orgId: org.id, orgSlug: slug, orgName: `${tag} org` });
  actAs(null);
  // a status report from the device: events and outbox rows; one delivery marked failed (for Redeliver/Replay)
  const contact = await recordDeviceContact(db, { udid, tokenHash: hashDeviceToken(device.token), report: { status: "online" } });
  if (!contact) throw new Error("fixture contact failed");
  const [row] = await queryRows<{ id: number; event_id: string }>(
    db,
    sql`update outbox set status = 'failed', completed_at = now() - interval '1 minute', last_error = 'fixture'
        where id = (select min(id) from outbox where org_id = ${org.id}) returning id, event_id`,
  );
  return {
    slug,
    orgId: org.id,
    ownerId,
    deviceId: device.deviceId,
    udid,
    deviceToken: device.token,
    webhookId: hook.id,
    webhookName,
    webhookUrl,
    basicPassword,
    bearerToken,
    bearerWebhookId: bearer.id,
    inboxId: inbox.id,
    inboxToken: inbox.token,
    deliveryId: Number(row.id),
    eventId: row.event_id,
    apiKeyId: apiKey.id,
    apiKeySecret: apiKey.secret,
    emailId,
    markers: [udid, `${tag} device name`, webhookName, `${tag}-hook`, `${tag} inbox`, inbox.token, row.event_id, `${tag}-tag`, `${tag} api key`, `${tag} org`],
  };
}

/** Org A (owner, admin, member, and a spare member to act on) and org B (owner), each with real objects. */
export async function seedTenants(db: Db, receiverUrl: string) {
  const ownerA = await insertUser(db, "owner-a@example.com", "Owner A");
  const adminA = await insertUser(db, "admin-a@example.com", "Admin A");
  const memberA = await insertUser(db, "member-a@example.com", "Member A");
  const spareA = await insertUser(db, "spare-a@example.com", "Spare A");
  const ownerB = await insertUser(db, "owner-b@example.com", "Owner B");
  const spareB = await insertUser(db, "spare-b@example.com", "Spare B");
  const outsider = await insertUser(db, "outsider@example.com", "Outsider");
  const A = await seedTenant(db, ownerA.id, "org-alpha", "alpha", receiverUrl);
  await addMembership(db, A.orgId, adminA.id, "admin");
  await addMembership(db, A.orgId, memberA.id, "member");
  await addMembership(db, A.orgId, spareA.id, "member");
  const B = await seedTenant(db, ownerB.id, "org-bravo", "bravo", receiverUrl);
  await addMembership(db, B.orgId, spareB.id, "member");
  return { A, B, ownerA, adminA, memberA, spareA, ownerB, spareB, outsider };
}
export type Tenants = Awaited<ReturnType<typeof seedTenants>>;
