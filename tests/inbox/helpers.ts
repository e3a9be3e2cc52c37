import { randomBytes } from "node:crypto";
import { Webhook } from "standardwebhooks";
import type { Db } from "@/db/client";
import { inboxes, webhooks, webhookSecrets } from "@/db/schema";
import { encryptSecret } from "@/lib/crypto/encryption";
import { randomBase62 } from "@/lib/ids";
import * as capture from "@/app/api/inbox/[token]/route";
import * as requestsRoute from "@/app/api/orgs/[slug]/inboxes/[inboxId]/requests/route";
import type { InboxRequestsResponse } from "@/lib/inbox/types";
import type { NextRequest } from "next/server";

export const BASE = "http://127.0.0.1:3999";

/** Inserts an inbox for an org directly. */
export async function insertInbox(db: Db, orgId: number, extra: Partial<typeof inboxes.$inferInsert> = {}) {
  const [row] = await db
    .insert(inboxes)
    .values({ orgId, name: "Test inbox", token: randomBase62(32), ...extra })
    .returning();
  return row;
}

type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD" | "OPTIONS";

/** Calls the capture route handler like Next would. */
export async function sendToInbox(
  token: string,
  init: { method?: Method; body?: BodyInit | null; headers?: Record<string, string>; query?: string } = {},
): Promise<Response> {
  const method = init.method ?? "POST";
  const req = new Request(`${BASE}/api/inbox/${token}${init.query ? `?${init.query}` : ""}`, {
    method,
    headers: init.headers,
    body: init.body ?? null,
    // a ReadableStream body needs half-duplex
    ...(init.body instanceof ReadableStream ? { duplex: "half" } : {}),
  } as RequestInit);
  return capture[method](req, { params: Promise.resolve({ token }) });
}

/** GET /api/orgs/{slug}/inboxes/{id}/requests as the current actAs() user. */
export async function readRequests(slug: string, inboxId: number, query = ""): Promise<{ status: number; json: InboxRequestsResponse & { error?: { code: string } } }> {
  const req = new Request(`${BASE}/api/orgs/${slug}/inboxes/${inboxId}/requests${query}`) as unknown as NextRequest;
  const res = await requestsRoute.GET(req, { params: Promise.resolve({ slug, inboxId: String(inboxId) }) });
  return { status: res.status, json: await res.json() };
}

/** A fresh Standard Webhooks secret: "whsec_" + base64 of 32 random bytes. */
export function newSecret(): string {
  return `whsec_${randomBytes(32).toString("base64")}`;
}

/** Inserts a webhook with secrets (each encrypted at rest, as the webhooks feature stores them). */
export async function insertWebhookWithSecrets(
  db: Db,
  orgId: number,
  name: string,
  secrets: Array<{ secret: string; expiresAt?: Date | null }>,
) {
  const [hook] = await db
    .insert(webhooks)
    .values({ orgId, name, url: `${BASE}/hook`, events: ["device.status.online"] })
    .returning();
  for (const s of secrets) {
    await db.insert(webhookSecrets).values({
      orgId,
      webhookId: hook.id,
      secretEncrypted: encryptSecret(s.secret),
      expiresAt: s.expiresAt ?? null,
    });
  }
  return hook;
}

/** Standard Webhooks headers for a body, signed with the official package. */
export function signedHeaders(secret: string, body: string, opts: { id?: string; at?: Date } = {}): Record<string, string> {
  const id = opts.id ?? `evt_${randomBase62(26)}`;
  const at = opts.at ?? new Date();
  return {
    "content-type": "application/json",
    "webhook-id": id,
    "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
    "webhook-signature": new Webhook(secret).sign(id, at, body),
  };
}
