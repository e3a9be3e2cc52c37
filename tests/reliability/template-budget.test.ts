import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "@/db/client";
import { emitEvents } from "@/lib/delivery/emit";
import { insertWebhook, seedDeliveryOrg } from "../delivery/helpers";
import { startReceiver, type Receiver } from "../support/receiver";
import { useReliabilityDatabase } from "./support/db";
import { spawnScript, stopChild, type Child } from "./support/processes";

// Issue #16 item 1, the exact attack: a Custom-body template of {{#data.tags}} nested nine deep (252 characters)
// over an event with 10 tags is 10^9 rendering steps. The row is written straight into the database, as if it
// had been saved before the save-time depth check existed. A delivery pass in a child process must stay
// responsive (its 10 ms timer keeps firing), fail that delivery for good with the budget error in the delivery
// log, and still deliver the other webhook's request in the same pass.
const ATTACK = `${"{{#data.tags}}".repeat(9)}${"{{/data.tags}}".repeat(9)}`;

describe("template rendering budget: the nested-sections attack", () => {
  const t = useReliabilityDatabase();
  let receiver: Receiver;
  const children: Child[] = [];
  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(async () => {
    for (const c of children) await stopChild(c, 2_000);
    await receiver.close();
  });

  it("does not freeze the process; the delivery fails for good with the budget error; other webhooks are delivered", async () => {
    expect(ATTACK.length).toBe(252);
    const db = t.db;
    const { org, device } = await seedDeliveryOrg(db);
    const bad = await insertWebhook(db, org.id, `${receiver.url}/bad`, {
      name: "bad",
      format: "custom",
      contentType: "text/plain",
      bodyTemplate: ATTACK,
    });
    const good = await insertWebhook(db, org.id, `${receiver.url}/good`, { name: "good" });
    const tags = Array.from({ length: 10 }, (_, i) => `tag-${i}`);
    await db.transaction((tx) =>
      emitEvents(tx, org.id, [{ type: "device.status.offline", device: { ...device, tags }, data: { previousStatus: "online", status: "offline", tags } }]),
    );

    const probe = spawnScript("tests/reliability/support/event-loop-probe.ts", { DATABASE_URL: t.url, WEBHOOK_ALLOW_PRIVATE_URLS: "1" });
    children.push(probe);
    // on the old code the child renders for many minutes; 60 s is far more than a budgeted pass needs
    await probe.waitForOutput(/PROBE \{/, 60_000);
    const report = JSON.parse(probe.output().split("PROBE ")[1].split("\n")[0]) as {
      result: { succeeded: number; failed: number; retried: number };
      maxGapMs: number;
      durationMs: number;
    };
    expect(report.result).toMatchObject({ succeeded: 1, failed: 1, retried: 0 });
    // the timer kept firing: the event loop was never blocked for long
    expect(report.maxGapMs).toBeLessThan(1_000);

    const rows = await queryRows<{ webhook_id: number; status: string; attempts: number; last_error: string | null }>(
      db,
      sql`select webhook_id, status, attempts, last_error from outbox order by webhook_id`,
    );
    const badRow = rows.find((r) => Number(r.webhook_id) === bad.hook.id)!;
    expect(badRow).toMatchObject({ status: "failed", attempts: 1 });
    expect(badRow.last_error).toMatch(/could not build the request: the template needs more than 200,000 rendering steps/);
    expect(rows.find((r) => Number(r.webhook_id) === good.hook.id)).toMatchObject({ status: "succeeded" });
    const [logged] = await queryRows<{ error: string }>(db, sql`select error from delivery_attempts where webhook_id = ${bad.hook.id}`);
    expect(logged.error).toMatch(/rendering steps/);
    expect(receiver.requests.map((r) => r.path)).toEqual(["/good"]);
  });
});
