import { eq } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { devices, inboxes, orgs, outbox, users, webhooks } from "@/db/schema";
import { bootServer } from "@/lib/boot";
import { demoSeedPlan } from "@/lib/demo/seed-plan";
import { checkCredentials } from "@/lib/auth/credentials";
import { DEMO_EMAIL, DEMO_PASSWORD, seedDemoData } from "@/lib/demo/seed";
import { useTestDatabase } from "../support/db";

const db = useTestDatabase();

describe("demo seed", () => {
  it("creates the demo org once, with a sign-in that works and a webhook delivering into the demo inbox", async () => {
    expect(await seedDemoData(db())).toBe(true);
    expect(await seedDemoData(db())).toBe(false);

    const signIn = await checkCredentials(DEMO_EMAIL, DEMO_PASSWORD);
    expect(signIn.ok).toBe(true);

    const [org] = await db().select().from(orgs).where(eq(orgs.slug, "demo"));
    expect(org.name).toBe("Demo");
    const [inbox] = await db().select().from(inboxes).where(eq(inboxes.orgId, org.id));
    const [hook] = await db().select().from(webhooks).where(eq(webhooks.orgId, org.id));
    expect(hook.url).toMatch(new RegExp(`/api/inbox/${inbox.token}$`));
    expect(hook.enabled).toBe(true);
    const demoDevices = await db().select().from(devices).where(eq(devices.orgId, org.id));
    expect(demoDevices.length).toBeGreaterThanOrEqual(3);
    // one device.created delivery per demo device is queued for the demo webhook, so the inbox fills at once
    const queued = await db().select().from(outbox).where(eq(outbox.webhookId, hook.id));
    expect(queued).toHaveLength(demoDevices.length);
    expect(queued.every((r) => r.status === "pending")).toBe(true);
  });
});

describe("demo seed at server start", () => {
  const env = process.env as Record<string, string | undefined>;

  async function boot(vars: Record<string, string | undefined>): Promise<string[]> {
    const saved = Object.fromEntries(Object.keys({ ...vars, EMBEDDED_WORKER: "" }).map((k) => [k, env[k]]));
    const lines: string[] = [];
    const log = vi.spyOn(console, "log").mockImplementation((...args) => void lines.push(args.join(" ")));
    Object.assign(env, { EMBEDDED_WORKER: "0", ...vars });
    for (const [k, v] of Object.entries(vars)) if (v === undefined) delete env[k];
    try {
      await bootServer();
    } finally {
      log.mockRestore();
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete env[k];
        else env[k] = v;
      }
    }
    return lines;
  }

  it("a production start (next start) on an empty database creates no login", async () => {
    const lines = await boot({ NODE_ENV: "production", SEED_DEMO: undefined });
    expect(await db().select().from(users)).toHaveLength(0);
    expect(lines.join("\n")).not.toContain(DEMO_EMAIL);
  });

  it("SEED_DEMO=1 in production seeds the demo with a random password shown once, never the fixed one", async () => {
    const lines = await boot({ NODE_ENV: "production", SEED_DEMO: "1", SEED_DEMO_PASSWORD: undefined });
    const line = lines.find((l) => l.includes("Demo data created"))!;
    const password = line.split(" / ")[1];
    expect(password).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(await checkCredentials(DEMO_EMAIL, DEMO_PASSWORD)).toMatchObject({ ok: false });
    expect(await checkCredentials(DEMO_EMAIL, password)).toMatchObject({ ok: true });
  });

  it("decides by NODE_ENV, SEED_DEMO and the driver", () => {
    expect(demoSeedPlan({ NODE_ENV: "development" }, "pglite", "signalpost")).toEqual({ seed: true, password: "signalpost", passwordShown: "fixed" });
    expect(demoSeedPlan({ NODE_ENV: "development" }, "postgres", "signalpost")).toEqual({ seed: false });
    expect(demoSeedPlan({ NODE_ENV: "development", SEED_DEMO: "0" }, "pglite", "signalpost")).toEqual({ seed: false });
    expect(demoSeedPlan({ NODE_ENV: "production" }, "pglite", "signalpost")).toEqual({ seed: false });
    expect(demoSeedPlan({ NODE_ENV: "production", SEED_DEMO: "1", SEED_DEMO_PASSWORD: "chosen by the operator" }, "postgres", "signalpost")).toEqual({
      seed: true,
      password: "chosen by the operator",
      passwordShown: "chosen",
    });
    const random = demoSeedPlan({ NODE_ENV: "production", SEED_DEMO: "1" }, "pglite", "signalpost");
    expect(random).toMatchObject({ seed: true, passwordShown: "generated" });
    expect((random as { password: string }).password).not.toBe("signalpost");
  });
});
