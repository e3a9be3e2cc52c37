import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { queryRows } from "@/db/client";
import { claimDueDeliveriesQuery } from "@/lib/delivery/claim";
import { useTestDatabase } from "../support/db";
import { emitOffline, insertWebhook, seedDeliveryOrg } from "./helpers";

// The planner only shows its real choice with realistic statistics: Postgres server only.
describe.skipIf(!process.env.DATABASE_URL)("claim query plan (Postgres)", () => {
  const db = useTestDatabase();

  it("reads due rows from the partial index, not by scanning finished rows", async () => {
    const { org, device } = await seedDeliveryOrg(db());
    const { hook } = await insertWebhook(db(), org.id, "http://127.0.0.1:9/");
    await emitOffline(db(), org, device, new Date(), 200);
    // 50,000 finished rows and a few hundred pending ones, as in a long-running system
    await db().execute(sql`
      insert into outbox (org_id, event_id, webhook_id, status, attempts, next_attempt_at, completed_at)
      select ${org.id}, (select id from events limit 1), ${hook.id}, 'succeeded', 1, now() - interval '1 day', now()
      from generate_series(1, 50000)`);
    await db().execute(sql`analyze outbox`);
    const now = new Date();
    const plan = await queryRows<{ "QUERY PLAN": unknown }>(
      db(),
      sql`explain (format json) ${claimDueDeliveriesQuery({ now, batchSize: 100, leaseMs: 60_000 })}`,
    );
    const nodes: { "Node Type": string; "Relation Name"?: string; "Index Name"?: string }[] = [];
    const walk = (n: Record<string, unknown>) => {
      nodes.push(n as (typeof nodes)[number]);
      for (const child of (n.Plans as Record<string, unknown>[] | undefined) ?? []) walk(child);
    };
    const root = (plan[0]["QUERY PLAN"] as { Plan: Record<string, unknown> }[])[0].Plan;
    walk(root);
    expect(nodes.some((n) => n["Index Name"] === "outbox_pending_due_idx")).toBe(true);
    expect(nodes.filter((n) => n["Node Type"] === "Seq Scan" && n["Relation Name"] === "outbox")).toEqual([]);
  });
});
