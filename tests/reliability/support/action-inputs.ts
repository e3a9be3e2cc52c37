import type { Tenant, Tenants } from "./tenants";
import { webhookForm } from "./tenants";

/** Everything exported by lib/actions/*.ts that is a server action, by module (a new action is picked up here). */
export async function loadActions(): Promise<{ name: string; module: string; fn: (prev: unknown, input: unknown) => Promise<unknown> }[]> {
  const modules: Record<string, Record<string, unknown>> = {
    "api-keys": await import("@/lib/actions/api-keys"),
    auth: await import("@/lib/actions/auth"),
    deliveries: await import("@/lib/actions/deliveries"),
    devices: await import("@/lib/actions/devices"),
    "device-csv": await import("@/lib/actions/device-csv"),
    inbox: await import("@/lib/actions/inbox"),
    members: await import("@/lib/actions/members"),
    notifications: await import("@/lib/actions/notifications"),
    org: await import("@/lib/actions/org"),
    webhooks: await import("@/lib/actions/webhooks"),
  };
  const out = [];
  for (const [module, exports] of Object.entries(modules)) {
    for (const [name, fn] of Object.entries(exports)) {
      if (typeof fn === "function" && /Action$/.test(name)) out.push({ name, module, fn: fn as never });
    }
  }
  return out;
}

/** The action modules on disk, to check that loadActions lists every one. */
export const ACTION_MODULES = ["api-keys", "auth", "deliveries", "device-csv", "devices", "emails", "inbox", "invitations", "members", "notifications", "org", "password-reset", "safe-action", "webhooks"];

/**
 * Actions that are not scoped to an org, with the reason: the tenancy matrix does not apply to them (they are
 * covered elsewhere: sign-in in rate-limits.test.ts).
 */
export const NOT_ORG_SCOPED: Record<string, string> = {
  signUpAction: "public: creates a new user and org",
  signInAction: "public: sign-in (rate limit tested in rate-limits.test.ts)",
  signOutAction: "ends the caller's own session",
  signOutEverywhereAction: "ends the caller's own sessions (tests/accounts/sessions.test.ts)",
  changePasswordAction: "changes the caller's own password (tests/accounts/sessions.test.ts)",
  createOrgAction: "creates a new org owned by the caller; touches no existing org",
  acceptInvitationAction: "the invitee's own acceptance, authorized by the single-use link (tests/accounts/invitations.test.ts)",
  signUpWithInvitationAction: "public: sign-up through a single-use invitation link (tests/accounts/invitations.test.ts)",
  requestPasswordResetAction: "public: never reveals whether the email exists (tests/accounts/password-reset.test.ts)",
  resetPasswordAction: "public: authorized by the single-use reset link (tests/accounts/password-reset.test.ts)",
};

/**
 * Actions every member (read-only members too) may call for THEMSELVES, with the one table they write: for org A's
 * member the matrix expects success that changes only the caller's own row of that table (org A, member A).
 */
export const OWN_SETTINGS: Record<string, string> = {
  saveMyNotificationsAction: "notification_prefs",
};

function asForm(values: Record<string, unknown>): FormData {
  const fd = new FormData();
  fd.set("orgSlug", String(values.orgSlug));
  fd.set("__json", JSON.stringify(values));
  return fd;
}

export type InputSpec = {
  /** Input naming org `slug` and the objects of `ids` (another org's ids to test cross-org references). */
  build: (slug: string, ids: Tenant, t: Tenants, receiverUrl: string) => Record<string, unknown> | FormData;
  /** Whether the input refers to existing objects by id (then "own org's slug + the other org's ids" must fail). */
  refersToIds: boolean;
};

const spareOf = (ids: Tenant, t: Tenants) => (ids.orgId === t.A.orgId ? t.spareA.id : t.spareB.id);

/** Realistic inputs per action (what the forms send). */
export const ACTION_INPUTS: Record<string, InputSpec> = {
  createApiKeyAction: { refersToIds: false, build: (slug) => ({ orgSlug: slug, name: "Matrix key", scope: "write", expiresInDays: "never" }) },
  revokeApiKeyAction: { refersToIds: true, build: (slug, ids) => ({ orgSlug: slug, keyId: String(ids.apiKeyId) }) },
  previewDeviceCsvAction: { refersToIds: false, build: (slug) => ({ orgSlug: slug, csv: "udid\nmatrix-csv-1\n" }) },
  importDeviceCsvAction: { refersToIds: false, build: (slug) => ({ orgSlug: slug, csv: "udid\nmatrix-csv-1\n" }) },
  createDeviceAction: { refersToIds: false, build: (slug) => ({ orgSlug: slug, udid: "matrix-new-device", name: "New", tags: "", offlineAfterSeconds: "300" }) },
  updateDeviceAction: { refersToIds: true, build: (slug, ids) => ({ orgSlug: slug, deviceId: String(ids.deviceId), name: "Renamed", tags: "x", offlineAfterSeconds: "600" }) },
  deleteDeviceAction: { refersToIds: true, build: (slug, ids) => ({ orgSlug: slug, deviceId: String(ids.deviceId) }) },
  regenerateTokenAction: { refersToIds: true, build: (slug, ids) => ({ orgSlug: slug, deviceId: String(ids.deviceId) }) },
  writeDesiredAction: { refersToIds: true, build: (slug, ids) => ({ orgSlug: slug, deviceId: ids.deviceId, config: { matrix: 1 }, firmwareVersion: "9.9.9" }) },
  previewBulkDesiredAction: { refersToIds: false, build: (slug) => ({ orgSlug: slug, tag: "x", set: { matrix: 1 } }) },
  bulkWriteDesiredAction: { refersToIds: false, build: (slug) => ({ orgSlug: slug, tag: "x", set: { matrix: 1 } }) },
  createWebhookAction: { refersToIds: false, build: (slug, _ids, _t, url) => asForm(webhookForm(slug, "Matrix hook", `${url}/matrix`)) },
  updateWebhookAction: {
    refersToIds: true,
    build: (slug, ids) => asForm({ ...webhookForm(slug, "Edited hook", ids.webhookUrl, { authType: "basic", authUsername: "edited" }), id: ids.webhookId }),
  },
  deleteWebhookAction: { refersToIds: true, build: (slug, ids) => ({ orgSlug: slug, id: String(ids.webhookId) }) },
  setWebhookEnabledAction: { refersToIds: true, build: (slug, ids) => ({ orgSlug: slug, id: String(ids.webhookId), enabled: "false" }) },
  revealWebhookSecretAction: { refersToIds: true, build: (slug, ids) => ({ orgSlug: slug, id: String(ids.webhookId) }) },
  rotateWebhookSecretAction: { refersToIds: true, build: (slug, ids) => ({ orgSlug: slug, id: String(ids.webhookId), period: "none" }) },
  sendTestEventAction: { refersToIds: true, build: (slug, ids) => ({ orgSlug: slug, id: String(ids.webhookId) }) },
  redeliverAction: { refersToIds: true, build: (slug, ids) => ({ orgSlug: slug, deliveryId: String(ids.deliveryId) }) },
  replayFailedAction: {
    refersToIds: true,
    build: (slug, ids) => ({ orgSlug: slug, since: new Date(Date.now() - 3_600_000).toISOString(), webhookId: String(ids.webhookId) }),
  },
  createInboxAction: { refersToIds: false, build: (slug) => ({ orgSlug: slug, name: "Matrix inbox", responseStatus: "200", responseDelaySeconds: "0" }) },
  updateInboxAction: {
    refersToIds: true,
    build: (slug, ids) => ({ orgSlug: slug, inboxId: String(ids.inboxId), name: "Renamed inbox", responseStatus: "201", responseDelaySeconds: "0" }),
  },
  clearInboxAction: { refersToIds: true, build: (slug, ids) => ({ orgSlug: slug, inboxId: String(ids.inboxId) }) },
  deleteInboxAction: { refersToIds: true, build: (slug, ids) => ({ orgSlug: slug, inboxId: String(ids.inboxId) }) },
  addMemberAction: { refersToIds: false, build: (slug) => ({ orgSlug: slug, email: "outsider@example.com", role: "member" }) },
  changeRoleAction: { refersToIds: true, build: (slug, ids, t) => ({ orgSlug: slug, userId: String(spareOf(ids, t)), role: "admin" }) },
  removeMemberAction: { refersToIds: true, build: (slug, ids, t) => ({ orgSlug: slug, userId: String(spareOf(ids, t)) }) },
  renameOrgAction: { refersToIds: false, build: (slug) => ({ orgSlug: slug, name: "Renamed org" }) },
  sendTestEmailAction: { refersToIds: false, build: (slug) => ({ orgSlug: slug }) },
  saveMyNotificationsAction: {
    refersToIds: true,
    build: (slug, ids) => ({ orgSlug: slug, events: ["device.status.offline"], deviceScope: "selected", deviceIds: [String(ids.deviceId)], mode: "digest", digestMinutes: "15" }),
  },
};

/** Fallback for an action added later without a row above: the org and every kind of id. */
export const FALLBACK_INPUT: InputSpec = {
  refersToIds: true,
  build: (slug, ids) => ({
    orgSlug: slug,
    id: String(ids.webhookId),
    deviceId: String(ids.deviceId),
    inboxId: String(ids.inboxId),
    deliveryId: String(ids.deliveryId),
    webhookId: String(ids.webhookId),
  }),
};
