import { timestamp } from "drizzle-orm/pg-core";

/** created_at / updated_at pair shared by mutable tables. */
export const timestamps = {
  createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" })
    .notNull()
    .defaultNow()
    .$onUpdate(() => new Date()),
};

/** A timestamptz column read as a JS Date. */
export const tstz = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });
