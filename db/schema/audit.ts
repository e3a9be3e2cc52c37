import { bigserial, index, integer, jsonb, pgTable, text } from "drizzle-orm/pg-core";
import { tstz } from "./_columns";
import { orgs, users } from "./accounts";
import { apiKeys } from "./api-keys";

/** Who did what to which object, when. `actor_user_id` is null for the system (delivery engine) and for API keys. */
export const auditLog = pgTable(
  "audit_log",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    orgId: integer("org_id")
      .notNull()
      .references(() => orgs.id, { onDelete: "cascade" }),
    actorUserId: integer("actor_user_id").references(() => users.id, { onDelete: "set null" }),
    /** Set when the change was made through the API with this key (the key is the actor). */
    actorApiKeyId: integer("actor_api_key_id").references(() => apiKeys.id, { onDelete: "set null" }),
    action: text("action").notNull(),
    targetType: text("target_type").notNull(),
    targetId: text("target_id"),
    summary: text("summary").notNull(),
    details: jsonb("details").$type<Record<string, unknown>>(),
    createdAt: tstz("created_at").notNull().defaultNow(),
  },
  // audit page: newest first within one org
  (t) => [index("audit_log_org_created_idx").on(t.orgId, t.createdAt.desc())],
);
