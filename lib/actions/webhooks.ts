"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { getDb } from "@/db/client";
import { orgAction, UserError, type ActionState } from "@/lib/actions/safe-action";
import { allowPrivateUrls } from "@/lib/env";
import { hitRateLimit } from "@/lib/rate-limit";
import { testEventTypeSchema, webhookFormSchema, webhookRequestSchema } from "@/lib/validation/webhooks";
import { getCurrentSecret, ROTATION_PERIOD_LABELS, ROTATION_PERIODS, type RotationPeriod } from "@/lib/webhooks/secrets";
import {
  auditSecretRevealed,
  authFromInput,
  createWebhook,
  deleteWebhook,
  findWebhook,
  loadWebhookForSending,
  rotateWebhookSecret,
  setWebhookEnabled,
  settingsForSending,
  updateWebhook,
} from "@/lib/webhooks/manage";
import { checkEndpoint, sendTestEvent, type TestEventResult } from "@/lib/delivery/test-event";
import type { Db } from "@/db/client";
import type { EndpointCheck } from "@/lib/webhooks/manage";

/** orgAction validates only the envelope; the form schema depends on the server's settings and the saved row. */
const loose = z.looseObject({ orgSlug: z.string(), id: z.coerce.number().int().positive().optional() });
/** Requests this server sends on an admin's behalf (test events and endpoint checks), per org and minute. */
const TEST_EVENTS_PER_MINUTE = 60;
const testEventLimitKey = (orgId: number) => `webhook-test:${orgId}`;

/**
 * The endpoint check on create/edit: it makes this server send a request, so it counts against the same per-org
 * limit as Send test event (otherwise saving in a loop would side-step it).
 */
const endpointCheck = (db: Db): EndpointCheck => async (orgId, settings, secrets) => {
  const limit = await hitRateLimit(db, testEventLimitKey(orgId), TEST_EVENTS_PER_MINUTE, 60);
  if (!limit.allowed) {
    return `Too many test events and endpoint checks; try again in ${limit.retryAfterSeconds} s, or tick "Skip endpoint check".`;
  }
  return checkEndpoint(db, orgId, settings, secrets);
};
const byId = z.object({ orgSlug: z.string(), id: z.coerce.number().int().positive() });

function parseOrRefuse<S extends z.ZodType>(schema: S, raw: unknown): z.infer<S> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new UserError("Please correct the highlighted fields.", z.flattenError(parsed.error).fieldErrors as Record<string, string[]>);
  }
  return parsed.data;
}

function revalidateWebhooks(slug: string, id?: number) {
  revalidatePath(`/orgs/${slug}/webhooks`);
  if (id) revalidatePath(`/orgs/${slug}/webhooks/${id}`);
}

/** Create Webhook form. */
export const createWebhookAction = orgAction(loose, "org_setting.modify", async (ctx, raw): Promise<ActionState<{ id: number }>> => {
  const input = parseOrRefuse(webhookFormSchema({ allowHttp: allowPrivateUrls() }), raw);
  const db = await getDb();
  const row = await createWebhook(db, { orgId: ctx.orgId, userId: ctx.userId }, input, endpointCheck(db));
  revalidateWebhooks(ctx.orgSlug);
  return { ok: true, message: `Webhook "${row.name}" created.`, data: { id: row.id } };
});

/** Edit form. Blank password/token keep the stored credentials. */
export const updateWebhookAction = orgAction(loose, "org_setting.modify", async (ctx, raw): Promise<ActionState<{ id: number }>> => {
  if (!raw.id) throw new UserError("Webhook not found.");
  const db = await getDb();
  const existing = await findWebhook(db, ctx.orgId, raw.id);
  if (!existing) throw new UserError("Webhook not found.");
  const input = parseOrRefuse(webhookFormSchema({ allowHttp: allowPrivateUrls(), storedAuthType: existing.authType }), raw);
  const row = await updateWebhook(db, { orgId: ctx.orgId, userId: ctx.userId }, existing.id, input, endpointCheck(db));
  revalidateWebhooks(ctx.orgSlug, row.id);
  return { ok: true, message: `Webhook "${row.name}" saved.`, data: { id: row.id } };
});

/** Delete (after the confirmation modal). */
export const deleteWebhookAction = orgAction(byId, "org_setting.modify", async (ctx, input) => {
  await deleteWebhook(await getDb(), { orgId: ctx.orgId, userId: ctx.userId }, input.id);
  revalidateWebhooks(ctx.orgSlug);
  return { ok: true, message: "Webhook deleted." };
});

/** Enable / Disable. */
export const setWebhookEnabledAction = orgAction(
  byId.extend({ enabled: z.preprocess((v) => v === true || v === "true" || v === "1", z.boolean()) }),
  "org_setting.modify",
  async (ctx, input) => {
    const row = await setWebhookEnabled(await getDb(), { orgId: ctx.orgId, userId: ctx.userId }, input.id, input.enabled);
    revalidateWebhooks(ctx.orgSlug, row.id);
    return { ok: true, message: row.enabled ? "Webhook enabled; pending deliveries resume." : "Webhook disabled." };
  },
);

/** Reveal: returns the current signing secret (owners and admins only). */
export const revealWebhookSecretAction = orgAction(byId, "org_setting.modify", async (ctx, input): Promise<ActionState<{ secret: string }>> => {
  const db = await getDb();
  const row = await findWebhook(db, ctx.orgId, input.id);
  if (!row) throw new UserError("Webhook not found.");
  const secret = await getCurrentSecret(db, ctx.orgId, row.id);
  if (!secret) throw new UserError("This webhook has no signing secret; rotate it to create one.");
  await auditSecretRevealed(db, { orgId: ctx.orgId, userId: ctx.userId }, row);
  return { ok: true, data: { secret } };
});

/** Rotate secret with a transition period; returns the new secret. */
export const rotateWebhookSecretAction = orgAction(
  byId.extend({ period: z.enum(Object.keys(ROTATION_PERIODS) as [RotationPeriod, ...RotationPeriod[]], { error: "Choose a transition period." }) }),
  "org_setting.modify",
  async (ctx, input): Promise<ActionState<{ secret: string; previousExpiresAt: string | null }>> => {
    const { secret, previousExpiresAt } = await rotateWebhookSecret(
      await getDb(),
      { orgId: ctx.orgId, userId: ctx.userId },
      input.id,
      ROTATION_PERIODS[input.period],
      ROTATION_PERIOD_LABELS[input.period],
    );
    revalidateWebhooks(ctx.orgSlug, input.id);
    return {
      ok: true,
      message: previousExpiresAt
        ? `New secret created. The old one stays valid until ${previousExpiresAt.toISOString().replace("T", " ").slice(0, 16)} UTC; deliveries carry both signatures until then.`
        : "New secret created. The old one no longer verifies.",
      data: { secret, previousExpiresAt: previousExpiresAt?.toISOString() ?? null },
    };
  },
);

/**
 * Send test event. With `id` and no form values: the saved webhook as stored (logged as a test delivery). With
 * form values (`url` present): the form as typed — on an edit form the saved secrets and credentials fill in blanks.
 */
export const sendTestEventAction = orgAction(loose, "org_setting.modify", async (ctx, raw): Promise<ActionState<TestEventResult>> => {
  const db = await getDb();
  const eventType = parseOrRefuse(z.object({ eventType: testEventTypeSchema }), raw).eventType;
  // test events make this server send requests: bounded per org
  const limit = await hitRateLimit(db, testEventLimitKey(ctx.orgId), TEST_EVENTS_PER_MINUTE, 60);
  if (!limit.allowed) throw new UserError(`Too many test events; try again in ${limit.retryAfterSeconds} s.`);
  let result: TestEventResult;
  if (raw.url === undefined) {
    if (!raw.id) throw new UserError("Webhook not found.");
    const { settings, secrets } = await loadWebhookForSending(db, ctx.orgId, raw.id).catch(() => {
      throw new UserError("Webhook not found.");
    });
    result = await sendTestEvent(db, { orgId: ctx.orgId, settings, secrets, eventType, log: true });
    revalidateWebhooks(ctx.orgSlug, raw.id);
  } else {
    const existing = raw.id ? await findWebhook(db, ctx.orgId, raw.id) : null;
    if (raw.id && !existing) throw new UserError("Webhook not found.");
    const input = parseOrRefuse(
      webhookRequestSchema({ allowHttp: allowPrivateUrls(), storedAuthType: existing?.authType }).and(z.object({ name: z.string().trim().max(50).default("") })),
      raw,
    );
    const auth = authFromInput(input, existing);
    const saved = existing ? await loadWebhookForSending(db, ctx.orgId, existing.id) : null;
    result = await sendTestEvent(db, {
      orgId: ctx.orgId,
      settings: settingsForSending(input, existing?.id ?? null, auth, existing),
      secrets: saved?.secrets ?? null,
      eventType,
      log: Boolean(existing),
    });
  }
  const r = result.response;
  return {
    ok: r.ok,
    message: r.ok ? `Receiver answered HTTP ${r.status} in ${r.durationMs} ms.` : `Test event failed: ${r.error ?? "no answer"}.`,
    data: result,
  };
});
