import "server-only";
import { sql } from "drizzle-orm";
import { queryRows, type Db } from "@/db/client";

/** Slugs that would collide with routes under /orgs. */
const RESERVED = new Set(["new", "api", "settings", "admin"]);
export const SLUG_MAX = 48;

/** "Acme Robotics GmbH" → "acme-robotics-gmbh"; non-Latin names fall back to "org". */
export function slugify(name: string): string {
  const base = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, SLUG_MAX)
    .replace(/-+$/g, "");
  return base && !RESERVED.has(base) ? base : base ? `${base}-org` : "org";
}

/**
 * A slug for a new org that no org uses yet: the slugified name, else name-2, name-3…
 * The insert must still tolerate a race (orgs_slug_key is unique); see createOrgForUser.
 */
export async function freeSlugCandidate(db: Db, name: string): Promise<string> {
  const base = slugify(name);
  const rows = await queryRows<{ slug: string }>(
    db,
    sql`select slug from orgs where slug = ${base} or slug ~ ${`^${base}-[0-9]+$`}`,
  );
  const taken = new Set(rows.map((r) => r.slug));
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) {
    const candidate = `${base}-${n}`;
    if (!taken.has(candidate)) return candidate;
  }
}
