import { sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach } from "vitest";
import { queryRows, type Db } from "@/db/client";
import { createTestDatabase, truncateAll } from "../../support/db";

type TestDatabase = Awaited<ReturnType<typeof createTestDatabase>>;

/** The reliability suite proves its claims on the PostgreSQL server; without DATABASE_URL it refuses to run. */
export function requirePostgresUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url || !/^postgres(ql)?:\/\//.test(url)) {
    throw new Error(
      "The reliability suite runs against PostgreSQL: set DATABASE_URL (e.g. postgres://root@127.0.0.1:5432/test).",
    );
  }
  return url;
}

/**
 * A fresh database on the PostgreSQL server for this file (dropped afterwards), installed as the process database,
 * truncated before each test unless `truncate: false`. Exposes the drizzle instance and the URL (for child
 * processes such as `scripts/worker.ts`).
 */
export function useReliabilityDatabase(options: { truncate?: boolean } = {}) {
  requirePostgresUrl();
  let handle: TestDatabase | undefined;
  beforeAll(async () => {
    handle = await createTestDatabase();
  });
  if (options.truncate !== false) {
    beforeEach(async () => {
      if (handle) await truncateAll(handle.db);
    });
  }
  afterAll(async () => {
    await handle?.drop();
  });
  return {
    get db(): Db {
      if (!handle) throw new Error("test database not open yet");
      return handle.db;
    },
    get url(): string {
      if (!handle?.url) throw new Error("test database not open yet");
      return handle.url;
    },
  };
}

/** Every table of the schema (the public tables, migrations excluded). */
export async function listTables(db: Db): Promise<string[]> {
  const rows = await queryRows<{ table_name: string }>(
    db,
    sql`select table_name from information_schema.tables
        where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`,
  );
  return rows.map((r) => r.table_name);
}

/**
 * A comparable picture of every table's content: per table, the row count and an md5 over the rows as JSON in a
 * stable order. Columns listed in `ignore` (table → column names) and tables in `skipTables` are left out, for
 * state a test expects to move.
 */
export async function snapshotDatabase(
  db: Db,
  ignore: Record<string, string[]> = {},
  skipTables: string[] = [],
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const table of await listTables(db)) {
    if (skipTables.includes(table)) continue;
    const drop = (ignore[table] ?? []).map((c) => ` - '${c}'`).join("");
    const [row] = await queryRows<{ n: number; digest: string | null }>(
      db,
      sql.raw(
        `select count(*)::int as n, md5(string_agg(j, E'\\n' order by j)) as digest
         from (select (to_jsonb(t)${drop})::text as j from "${table}" t) s`,
      ),
    );
    out[table] = `${row.n}:${row.digest ?? "-"}`;
  }
  return out;
}

/** Polls `check` until it returns true, every `intervalMs`, failing after `timeoutMs` with `what`. */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean> | boolean,
  { timeoutMs = 60_000, intervalMs = 100 } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** The single number a `select count(*) …` (or any one-column, one-row query) returns. */
export async function count(db: Db, query: string): Promise<number> {
  const [row] = await queryRows<Record<string, unknown>>(db, sql.raw(query));
  return Number(Object.values(row ?? {})[0] ?? 0);
}
