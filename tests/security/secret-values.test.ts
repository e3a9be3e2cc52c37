import { eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { deliveryAttempts, devices, inboxRequests, webhooks } from "@/db/schema";
import { createWebhookAction, sendTestEventAction, updateWebhookAction } from "@/lib/actions/webhooks";
import { processOutbox } from "@/lib/delivery/pass";
import { closeSendPools } from "@/lib/delivery/send";
import { webhookFormSchema } from "@/lib/validation/webhooks";
import { webhookFormValues } from "@/lib/webhooks/manage";
import { maskAuth } from "@/lib/webhooks/request";
import { emitOffline } from "../delivery/helpers";
import { insertInbox, sendToInbox } from "../inbox/helpers";
import { useTestDatabase } from "../support/db";
import { twoOrgs } from "../support/fixtures";
import { startReceiver, type Receiver } from "../support/receiver";
import { actAs } from "../support/session";
import { webhookFormValues as form } from "./helpers";

// Issue #16 item 7: credentials in plain sight. Authorization is refused as a custom header; a header or query
// parameter can be marked secret (encrypted at rest, never sent back to the browser, masked in the delivery log
// and in previews); the inbox masks the Authorization and Cookie values it captures.
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

describe("credentials in custom headers and query parameters", () => {
  it("refuses Authorization as a custom header, whatever its case, pointing at the Authentication field", async () => {
    const { orgA, ownerA } = await twoOrgs(db());
    actAs(ownerA.id);
    for (const name of ["Authorization", "authorization", "AUTHORIZATION"]) {
      const state = await createWebhookAction(null, asForm(form(orgA.slug, { headers: [{ name, value: "Token abc" }] })));
      expect(state?.ok).toBe(false);
      expect(state?.errors?.headers?.join(" ")).toMatch(/Authentication field/);
    }
    expect(await db().select().from(webhooks)).toHaveLength(0);
    // the schema refuses it in the browser too
    const parsed = webhookFormSchema({ allowHttp: true }).safeParse(form(orgA.slug, { headers: [{ name: "Authorization", value: "x" }] }));
    expect(parsed.success).toBe(false);
  });

  it("a secret header/query value is stored encrypted, sent as typed, masked in the log, the test result and the form", async () => {
    const { orgA, ownerA, memberA } = await twoOrgs(db());
    actAs(ownerA.id);
    const created = await createWebhookAction(
      null,
      asForm(
        form(orgA.slug, {
          url: `${receiver.url}/hook`,
          headers: [
            { name: "X-Api-Key", value: "key-0123456789", secret: true },
            { name: "X-Plain", value: "visible" },
          ],
          queryParams: [
            { name: "key", value: "q-0123456789", secret: true },
            { name: "source", value: "sp" },
          ],
        }),
      ),
    );
    expect(created?.ok, JSON.stringify(created)).toBe(true);
    const id = (created!.data as { id: number }).id;
    const [row] = await db().select().from(webhooks).where(eq(webhooks.id, id));
    expect(JSON.stringify(row)).not.toMatch(/key-0123456789|q-0123456789/);
    expect(row.headers).toEqual([
      { name: "X-Api-Key", value: "", secret: true, sealed: expect.stringMatching(/^v2\./) },
      { name: "X-Plain", value: "visible" },
    ]);

    // what the edit form (and so the browser) gets: no secret value
    const values = webhookFormValues(row);
    expect(JSON.stringify(values)).not.toMatch(/key-0123456789|q-0123456789|v2\./);
    expect(values.headers[0]).toEqual({ name: "X-Api-Key", value: "", secret: true });

    // a real delivery: the receiver gets the values, the log shows them masked
    const [device] = await db().insert(devices).values({ orgId: orgA.id, udid: "sec-1", name: "Sec" }).returning();
    await emitOffline(db(), orgA, { ...device, tags: [] });
    const r = await processOutbox({ db: db() });
    expect(r.succeeded).toBe(1);
    const [got] = receiver.requests;
    expect(got.headers["x-api-key"]).toBe("key-0123456789");
    expect(got.headers["x-plain"]).toBe("visible");
    expect(got.path).toBe("/hook?key=q-0123456789&source=sp");
    const [logged] = await db().select().from(deliveryAttempts).where(eq(deliveryAttempts.webhookId, id));
    expect(logged.requestHeaders["X-Api-Key"]).toBe("••••••");
    expect(logged.requestHeaders["X-Plain"]).toBe("visible");
    expect(logged.requestUrl).toBe(`${receiver.url}/hook?key=***&source=sp`);
    expect(JSON.stringify(logged)).not.toMatch(/key-0123456789|q-0123456789/);

    // Send test event on the saved webhook: what comes back to the browser is masked
    const test = await sendTestEventAction(null, asForm({ orgSlug: orgA.slug, id }));
    expect(test?.ok).toBe(true);
    expect(JSON.stringify(test)).not.toMatch(/key-0123456789|q-0123456789/);
    expect(receiver.requests.at(-1)!.headers["x-api-key"]).toBe("key-0123456789");

    // a read-only member cannot reach the edit form's values (owners/admins only), and the test action refuses them
    actAs(memberA.id);
    const denied = await sendTestEventAction(null, asForm({ orgSlug: orgA.slug, id }));
    expect(denied?.ok).toBe(false);
  });

  it("on edit a blank secret keeps the stored value (also for the test event of the form), a typed one replaces it", async () => {
    const { orgA, ownerA } = await twoOrgs(db());
    actAs(ownerA.id);
    const base = { url: `${receiver.url}/e`, headers: [{ name: "X-Api-Key", value: "first-0123456789", secret: true }] };
    const created = await createWebhookAction(null, asForm(form(orgA.slug, base)));
    const id = (created!.data as { id: number }).id;

    // the edit form's own test event: the blank secret is filled in from the stored one on the server
    const formTest = await sendTestEventAction(null, asForm(form(orgA.slug, { id, ...base, headers: [{ name: "X-Api-Key", value: "", secret: true }] })));
    expect(formTest?.ok).toBe(true);
    expect(receiver.requests.at(-1)!.headers["x-api-key"]).toBe("first-0123456789");
    expect(JSON.stringify(formTest)).not.toMatch(/first-0123456789/);

    const kept = await updateWebhookAction(null, asForm(form(orgA.slug, { id, ...base, headers: [{ name: "X-Api-Key", value: "", secret: true }] })));
    expect(kept?.ok, JSON.stringify(kept)).toBe(true);
    await sendTestEventAction(null, asForm({ orgSlug: orgA.slug, id }));
    expect(receiver.requests.at(-1)!.headers["x-api-key"]).toBe("first-0123456789");

    const replaced = await updateWebhookAction(null, asForm(form(orgA.slug, { id, ...base, headers: [{ name: "X-Api-Key", value: "second-0123456789", secret: true }] })));
    expect(replaced?.ok).toBe(true);
    await sendTestEventAction(null, asForm({ orgSlug: orgA.slug, id }));
    expect(receiver.requests.at(-1)!.headers["x-api-key"]).toBe("second-0123456789");

    // a new secret row with no value at all is refused
    const missing = await updateWebhookAction(
      null,
      asForm(form(orgA.slug, { id, ...base, headers: [{ name: "X-Other", value: "", secret: true }] })),
    );
    expect(missing?.ok).toBe(false);
    expect(missing?.errors?.headers?.join(" ")).toMatch(/marked secret but has no value/);
  });

  it("maskAuth hides secret headers and query values in previews", () => {
    const masked = maskAuth({
      method: "POST",
      url: "https://h.example/x?key=abc&keep=1",
      headers: { "X-Api-Key": "abc", authorization: "Bearer t0k3n" },
      body: "{}",
      secretNames: { headers: ["x-api-key"], query: ["key"] },
    });
    expect(masked).toEqual({
      method: "POST",
      url: "https://h.example/x?key=***&keep=1",
      headers: { "X-Api-Key": "••••••", authorization: "Bearer ••••••" },
      body: "{}",
    });
  });
});

describe("the inbox masks captured credentials", () => {
  it("stores Authorization with its scheme and last 4 characters, Cookie values the same way", async () => {
    const { orgA } = await twoOrgs(db());
    const inbox = await insertInbox(db(), orgA.id);
    const res = await sendToInbox(inbox.token, {
      headers: {
        Authorization: "Bearer abcdefghijklmnop1234",
        "Proxy-Authorization": "Basic dXNlcjpwYXNzd29yZDEyMw==",
        Cookie: "session=s3cr3t-session-value-9f3a; theme=dark",
        "X-Other": "kept",
      },
      body: "{}",
    });
    expect(res.status).toBe(200);
    const [row] = await db().select().from(inboxRequests).where(eq(inboxRequests.inboxId, inbox.id));
    expect(row.headers.authorization).toBe("Bearer ••••1234");
    expect(row.headers["proxy-authorization"]).toBe("Basic ••••Mw==");
    expect(row.headers.cookie).toBe("session=••••9f3a; theme=••••");
    expect(row.headers["x-other"]).toBe("kept");
    expect(JSON.stringify(row)).not.toMatch(/abcdefghijklmnop|s3cr3t-session/);
  });
});
