import { bigserial, index, integer, jsonb, pgTable, serial, text, uniqueIndex } from "drizzle-orm/pg-core";
import { timestamps, tstz } from "./_columns";
import { orgs } from "./accounts";

/** A built-in request bin: `/api/inbox/{token}` captures whatever is sent to it. */
export const inboxes = pgTable(
  "inboxes",
  {
    id: serial("id").primaryKey(),
    orgId: integer("org_id")
      .notNull()
      .references(() => orgs.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    token: text("token").notNull(),
    responseStatus: integer("response_status").notNull().default(200),
    responseDelayMs: integer("response_delay_ms").notNull().default(0),
    ...timestamps,
  },
  (t) => [uniqueIndex("inboxes_token_key").on(t.token), index("inboxes_org_idx").on(t.orgId)],
);

/** A captured request. Text bodies are kept as text; binary ones as base64 with `body_encoding` = 'base64'. */
export const inboxRequests = pgTable(
  "inbox_requests",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    orgId: integer("org_id")
      .notNull()
      .references(() => orgs.id, { onDelete: "cascade" }),
    inboxId: integer("inbox_id")
      .notNull()
      .references(() => inboxes.id, { onDelete: "cascade" }),
    method: text("method").notNull(),
    path: text("path").notNull(),
    query: text("query").notNull().default(""),
    headers: jsonb("headers").$type<Record<string, string>>().notNull(),
    body: text("body").notNull().default(""),
    bodyEncoding: text("body_encoding", { enum: ["utf8", "base64"] }).notNull().default("utf8"),
    size: integer("size").notNull().default(0),
    receivedAt: tstz("received_at").notNull().defaultNow(),
  },
  // inbox page: newest first; retention keeps the last 500 per inbox
  (t) => [index("inbox_requests_inbox_received_idx").on(t.inboxId, t.receivedAt.desc())],
);
