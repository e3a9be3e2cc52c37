import fs from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { NextRequest } from "next/server";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { queryRows } from "@/db/client";
import { regenerateTokenAction } from "@/lib/actions/devices";
import { revealWebhookSecretAction, rotateWebhookSecretAction, sendTestEventAction } from "@/lib/actions/webhooks";
import { processOutbox } from "@/lib/delivery/pass";
import { closeSendPools } from "@/lib/delivery/send";
import { startReceiver, type Receiver } from "../support/receiver";
import { actAs } from "../support/session";
import { ACTION_INPUTS, loadActions, NOT_ORG_SCOPED } from "./support/action-inputs";
import { listTables, useReliabilityDatabase } from "./support/db";
import { seedTenants } from "./support/tenants";

// Secrets at rest and in what members see: webhook signing secrets, Basic passwords and Bearer tokens (created and
// rotated through the real actions) and device tokens are never stored in plain text; after real deliveries, test
// events and the dump of every table, none of them appears anywhere in the database, in the logs, or in any JSON a
// `member` gets from the org routes and actions.
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");

describe("secrets at rest", () => {
  const t = useReliabilityDatabase({ truncate: false });
  let receiver: Receiver;
  const logs: string[] = [];
  const secrets: Record<string, string> = {};
  let tenants: Awaited<ReturnType<typeof seedTenants>>;
  beforeAll(async () => {
    for (const level of ["log", "info", "warn", "error", "debug"] as const) {
      const original = console[level].bind(console);
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
        logs.push(args.map((a) => (a instanceof Error ? `${a.message} ${a.stack}` : typeof a === "string" ? a : JSON.stringify(a))).join(" "));
        original(...(args as []));
      });
    }
    receiver = await startReceiver();
    tenants = await seedTenants(t.db, receiver.url);
    const { A } = tenants;
    actAs(tenants.ownerA.id);
    const reveal = (await revealWebhookSecretAction(null, { orgSlug: A.slug, id: String(A.webhookId) })) as { data: { secret: string } };
    secrets.signingSecret = reveal.data.secret;
    const rotated = (await rotateWebhookSecretAction(null, { orgSlug: A.slug, id: String(A.webhookId), period: "24h" })) as { data: { secret: string } };
    secrets.rotatedSecret = rotated.data.secret;
    const regenerated = (await regenerateTokenAction(null, { orgSlug: A.slug, deviceId: String(A.deviceId) })) as { data: { token: string } };
    secrets.regeneratedDeviceToken = regenerated.data.token;
    secrets.firstDeviceToken = A.deviceToken;
    secrets.basicPassword = A.basicPassword;
    secrets.bearerToken = A.bearerToken;
    secrets.otherOrgDeviceToken = tenants.B.deviceToken;
    secrets.otherOrgBearer = tenants.B.bearerToken;
    secrets.apiKey = A.apiKeySecret;
    secrets.otherOrgApiKey = tenants.B.apiKeySecret;
    // real traffic with the credentials: a test event on each saved webhook, then the queued deliveries
    await sendTestEventAction(null, { orgSlug: A.slug, id: String(A.webhookId) });
    await sendTestEventAction(null, { orgSlug: A.slug, id: String(A.bearerWebhookId) });
    actAs(null);
    await processOutbox({});
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    actAs(null);
    await closeSendPools();
    await receiver.close();
  });

  /** The parts of a secret that must never be found: the whole value, and its random part without a known prefix. */
  const needles = () =>
    Object.entries(secrets).flatMap(([name, value]) => {
      const bare = value.replace(/^(whsec_|spd_|spk_)/, "");
      return [
        [name, value],
        [`${name} (random part)`, bare.slice(0, 24)],
        [`${name} (base64)`, Buffer.from(value).toString("base64")],
      ] as [string, string][];
    });

  it("the receivers really got the credentials (so the checks below can fail)", () => {
    const auth = receiver.requests.map((r) => r.headers.authorization ?? "");
    expect(auth).toContain(`Bearer ${secrets.bearerToken}`);
    expect(auth.some((a) => a.startsWith("Basic ") && Buffer.from(a.slice(6), "base64").toString().endsWith(`:${secrets.basicPassword}`))).toBe(true);
    expect(receiver.requests.some((r) => (r.headers["webhook-signature"] ?? "").split(" ").length === 2)).toBe(true); // both secrets during rotation
  });

  it("no plaintext webhook secret, Basic password, Bearer token or device token in a dump of every table", async () => {
    const tables = await listTables(t.db);
    expect(tables).toEqual(expect.arrayContaining(["webhooks", "webhook_secrets", "device_tokens", "delivery_attempts", "audit_log", "events"]));
    let rows = 0;
    for (const table of tables) {
      const dump = await queryRows<{ j: string }>(t.db, sql.raw(`select row_to_json(t)::text as j from "${table}" t`));
      rows += dump.length;
      const text = dump.map((d) => d.j).join("\n");
      for (const [name, needle] of needles()) expect(text.includes(needle), `${name} found in table ${table}`).toBe(false);
    }
    expect(rows).toBeGreaterThan(30);
  });

  it("no secret in anything logged while creating, revealing, rotating, sending and delivering", () => {
    const text = logs.join("\n");
    for (const [name, needle] of needles()) expect(text.includes(needle), `${name} found in the logs`).toBe(false);
  });

  it("a member gets no secret from any org route or action answer", async () => {
    const { A } = tenants;
    actAs(tenants.memberA.id);
    const seen: string[] = [];
    const base = path.join(root, "app/api/orgs");
    const routes: string[] = [];
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name === "route.ts") routes.push(p);
      }
    };
    walk(base);
    const [request] = await queryRows<{ id: number }>(t.db, sql`select id from inbox_requests limit 1`);
    const values: Record<string, string> = { slug: A.slug, deviceId: String(A.deviceId), id: String(A.deliveryId), inboxId: String(A.inboxId), requestId: String(request?.id ?? 1) };
    for (const file of routes) {
      const route = `/api/orgs/${path.relative(base, path.dirname(file))}`;
      const params = Object.fromEntries([...route.matchAll(/\[([^\]]+)\]/g)].map((m) => [m[1], values[m[1]]]));
      const mod = (await import(/* @vite-ignore */ file)) as Record<string, unknown>;
      if (typeof mod.GET !== "function") continue;
      const url = `http://localhost${route.replace(/\[([^\]]+)\]/g, (_, k) => params[k])}`;
      const res = await (mod.GET as (r: NextRequest, c: unknown) => Promise<Response>)(new NextRequest(url), { params: Promise.resolve(params) });
      seen.push(`${route} ${res.status} ${await res.text()}`);
    }
    // the delivery detail with its attempts is readable by a member: auth is masked there
    expect(seen.some((s) => s.includes("/deliveries/[id] 200"))).toBe(true);
    for (const a of await loadActions()) {
      if (a.name in NOT_ORG_SCOPED || !ACTION_INPUTS[a.name]) continue;
      const state = await a.fn(null, ACTION_INPUTS[a.name].build(A.slug, A, tenants, receiver.url)).catch((e: Error) => ({ thrown: e.message }));
      seen.push(`${a.name} ${JSON.stringify(state)}`);
    }
    actAs(null);
    const text = seen.join("\n");
    for (const [name, needle] of needles()) expect(text.includes(needle), `${name} shown to a member`).toBe(false);
  });
});
