import { asc, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { inboxRequests } from "@/db/schema";
import { updateInboxAction } from "@/lib/actions/inbox";
import { INBOX_MAX_BODY_BYTES, INBOX_RETENTION } from "@/lib/inbox/constants";
import { useTestDatabase } from "../support/db";
import { insertOrg, insertUser } from "../support/fixtures";
import { actAs } from "../support/session";
import { insertInbox, sendToInbox } from "./helpers";

const db = useTestDatabase();

async function setup(extra: Parameters<typeof insertInbox>[2] = {}) {
  const user = await insertUser(db());
  const org = await insertOrg(db(), user.id, "acme");
  const inbox = await insertInbox(db(), org.id, extra);
  return { user, org, inbox };
}

const stored = (inboxId: number) =>
  db().select().from(inboxRequests).where(eq(inboxRequests.inboxId, inboxId)).orderBy(asc(inboxRequests.id));

describe("POST|GET|… /api/inbox/{token}", () => {
  it.each(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"] as const)(
    "captures a %s request: method, path, query, lower-cased headers, body",
    async (method) => {
      const { inbox } = await setup();
      const hasBody = method !== "GET" && method !== "HEAD";
      const body = hasBody ? JSON.stringify({ hello: "wörld", method }) : null;
      const res = await sendToInbox(inbox.token, {
        method,
        query: "a=1&b=two%20words",
        headers: { "X-Custom-Header": "Value-Case-Kept", ...(hasBody ? { "Content-Type": "application/json" } : {}) },
        body,
      });
      expect(res.status).toBe(200);
      if (method === "HEAD") expect(await res.text()).toBe("");
      else expect(await res.json()).toEqual({ ok: true, inbox: "Test inbox" });

      const [row] = await stored(inbox.id);
      expect(row).toMatchObject({
        method,
        path: `/api/inbox/${inbox.token}`,
        query: "a=1&b=two%20words",
        bodyEncoding: "utf8",
        body: body ?? "",
        size: body ? Buffer.byteLength(body) : 0,
      });
      expect(row.headers["x-custom-header"]).toBe("Value-Case-Kept");
      expect(Object.keys(row.headers).every((k) => k === k.toLowerCase())).toBe(true);
      if (hasBody) expect(row.headers["content-type"]).toBe("application/json");
    },
  );

  it("answers 404 JSON for an unknown token and stores nothing", async () => {
    const { inbox } = await setup();
    for (const token of ["A".repeat(32), "nope", inbox.token.slice(0, 31)]) {
      const res = await sendToInbox(token, { body: "x" });
      expect(res.status).toBe(404);
      expect(res.headers.get("content-type")).toContain("application/json");
      expect((await res.json()).error.code).toBe("not_found");
    }
    expect(await stored(inbox.id)).toHaveLength(0);
  });

  it("keeps a large text body intact", async () => {
    const { inbox } = await setup();
    const body = "ü".repeat(100_000) + "end"; // 200 003 bytes of UTF-8
    expect((await sendToInbox(inbox.token, { body, headers: { "content-type": "text/plain; charset=utf-8" } })).status).toBe(200);
    const [row] = await stored(inbox.id);
    expect(row.bodyEncoding).toBe("utf8");
    expect(row.body).toBe(body);
    expect(row.size).toBe(200_003);
  });

  it("stores a binary body as base64 with its exact bytes", async () => {
    const { inbox } = await setup();
    const bytes = new Uint8Array(70_000).map((_, i) => (i * 7919) % 256);
    bytes[0] = 0xff; // never valid UTF-8
    expect((await sendToInbox(inbox.token, { body: bytes, headers: { "content-type": "application/octet-stream" } })).status).toBe(200);
    const [row] = await stored(inbox.id);
    expect(row.bodyEncoding).toBe("base64");
    expect(row.size).toBe(70_000);
    expect(Buffer.from(row.body, "base64").equals(Buffer.from(bytes))).toBe(true);
  });

  it("accepts exactly 256 KB", async () => {
    const { inbox } = await setup();
    const res = await sendToInbox(inbox.token, { body: "a".repeat(INBOX_MAX_BODY_BYTES) });
    expect(res.status).toBe(200);
    const [row] = await stored(inbox.id);
    expect(row.size).toBe(INBOX_MAX_BODY_BYTES);
  });

  it("refuses one byte over 256 KB with 413 JSON and stores nothing", async () => {
    const { inbox } = await setup();
    const res = await sendToInbox(inbox.token, { body: "a".repeat(INBOX_MAX_BODY_BYTES + 1) });
    expect(res.status).toBe(413);
    expect((await res.json()).error.code).toBe("payload_too_large");
    expect(await stored(inbox.id)).toHaveLength(0);
  });

  it("refuses a streamed body without Content-Length once it passes the cap, and stops reading", async () => {
    const { inbox } = await setup();
    let pulled = 0;
    const chunk = new Uint8Array(64 * 1024).fill(97);
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        if (pulled > 160) controller.close(); // would be 10 MB
        else controller.enqueue(chunk);
      },
    });
    const res = await sendToInbox(inbox.token, { body: stream });
    expect(res.status).toBe(413);
    expect(pulled).toBeLessThan(10);
    expect(await stored(inbox.id)).toHaveLength(0);
  });

  it("refuses a declared Content-Length over the cap before reading", async () => {
    const { inbox } = await setup();
    const res = await sendToInbox(inbox.token, {
      body: "small",
      headers: { "content-length": String(INBOX_MAX_BODY_BYTES + 10) },
    });
    expect(res.status).toBe(413);
    expect(await stored(inbox.id)).toHaveLength(0);
  });

  it("answers the configured status after the configured delay", async () => {
    const { inbox } = await setup({ responseStatus: 503, responseDelayMs: 300 });
    const started = Date.now();
    const res = await sendToInbox(inbox.token, { body: "{}" });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ ok: true, inbox: "Test inbox" });
    expect(await stored(inbox.id)).toHaveLength(1); // a rehearsed failure still captures the request
  });

  it("answers a status changed with the form (410, no delay)", async () => {
    const { user, inbox } = await setup({ responseStatus: 200 });
    actAs(user.id);
    const result = await updateInboxAction(null, {
      orgSlug: "acme",
      inboxId: inbox.id,
      name: "Gone",
      responseStatus: "410",
      responseDelaySeconds: "0",
    });
    expect(result?.ok).toBe(true);
    const res = await sendToInbox(inbox.token, { body: "{}" });
    expect(res.status).toBe(410);
    expect(await res.json()).toEqual({ ok: true, inbox: "Gone" });
  });

  it("refuses a status outside 200–599 and a delay over 30 s, naming the field", async () => {
    const { user, inbox } = await setup();
    actAs(user.id);
    const bad = await updateInboxAction(null, {
      orgSlug: "acme",
      inboxId: inbox.id,
      name: "x",
      responseStatus: "199",
      responseDelaySeconds: "31",
    });
    expect(bad?.ok).toBe(false);
    expect(bad?.errors?.responseStatus?.[0]).toMatch(/200 to 599/);
    expect(bad?.errors?.responseDelaySeconds?.[0]).toMatch(/30 seconds/);
    const res = await sendToInbox(inbox.token, { body: "{}" });
    expect(res.status).toBe(200);
  });

  it(`keeps only the newest ${INBOX_RETENTION} requests of an inbox`, async () => {
    const { org, inbox } = await setup();
    const other = await insertInbox(db(), org.id, { name: "Other" });
    await sendToInbox(other.token, { body: "other-0" });
    for (let i = 0; i < INBOX_RETENTION + 5; i++) {
      expect((await sendToInbox(inbox.token, { body: `req-${i}` })).status).toBe(200);
    }
    const rows = await stored(inbox.id);
    expect(rows).toHaveLength(INBOX_RETENTION);
    expect(rows[0].body).toBe("req-5");
    expect(rows.at(-1)!.body).toBe(`req-${INBOX_RETENTION + 4}`);
    // other inboxes are untouched
    expect(await stored(other.id)).toHaveLength(1);
  }, 120_000);
});
