import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { webhooks } from "@/db/schema";
import { createWebhookAction, sendTestEventAction, updateWebhookAction } from "@/lib/actions/webhooks";
import { closeSendPools } from "@/lib/delivery/send";
import { hitRateLimit } from "@/lib/rate-limit";
import { useTestDatabase } from "../support/db";
import { twoOrgs } from "../support/fixtures";
import { startReceiver, type Receiver } from "../support/receiver";
import { actAs } from "../support/session";
import { webhookFormValues as form } from "./helpers";

// Issue #16 item 9 (endpoint checks): the check on create and on a URL change sends a request from this server, so
// it counts against the per-org test-event limit (60 a minute); past it, saving with the check is refused and
// nothing is sent. Before, 100 checks went out after the limit.
const db = useTestDatabase();
let receiver: Receiver;

function asForm(values: Record<string, unknown>): FormData {
  const fd = new FormData();
  fd.set("orgSlug", String(values.orgSlug));
  fd.set("__json", JSON.stringify(values));
  return fd;
}

beforeAll(async () => {
  receiver = await startReceiver();
});
afterEach(async () => {
  actAs(null);
  receiver.clear();
  await closeSendPools();
});
afterAll(async () => {
  await receiver.close();
});

describe("endpoint checks count against the test-event limit", () => {
  it("each check uses one of the 60 a minute; past the limit create/edit with the check are refused and send nothing", async () => {
    const { orgA, orgB, ownerA, ownerB } = await twoOrgs(db());
    actAs(ownerA.id);
    for (let i = 0; i < 58; i++) await hitRateLimit(db(), `webhook-test:${orgA.id}`, 60, 60);
    const checked = { url: `${receiver.url}/hook`, skipEndpointCheck: false };
    const first = await createWebhookAction(null, asForm(form(orgA.slug, { name: "one", ...checked })));
    expect(first?.ok, JSON.stringify(first)).toBe(true);
    expect(receiver.requests).toHaveLength(1);
    // the check used one: only one test event is left
    expect((await sendTestEventAction(null, asForm({ orgSlug: orgA.slug, id: (first!.data as { id: number }).id })))?.ok).toBe(true);
    expect(receiver.requests).toHaveLength(2);

    const refused = await createWebhookAction(null, asForm(form(orgA.slug, { name: "two", ...checked })));
    expect(refused?.ok).toBe(false);
    expect(refused?.errors?.url?.join(" ")).toMatch(/Too many test events and endpoint checks/);
    const id = (first!.data as { id: number }).id;
    const edit = await updateWebhookAction(null, asForm(form(orgA.slug, { id, name: "one", ...checked, url: `${receiver.url}/moved` })));
    expect(edit?.ok).toBe(false);
    expect(edit?.errors?.url?.join(" ")).toMatch(/Too many/);
    expect(receiver.requests).toHaveLength(2);
    expect(await db().select().from(webhooks)).toHaveLength(1);

    // skipping the check still saves; another org has its own limit
    expect((await createWebhookAction(null, asForm(form(orgA.slug, { name: "three", ...checked, skipEndpointCheck: true }))))?.ok).toBe(true);
    actAs(ownerB.id);
    expect((await createWebhookAction(null, asForm(form(orgB.slug, { name: "b", ...checked }))))?.ok).toBe(true);
    expect(receiver.requests).toHaveLength(3);
  });
});
