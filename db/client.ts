import { createHash } from "node:crypto";
import path from "node:path";
import fs from "node:fs";
import { sql, type SQL } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { intEnv } from "./env";
import * as schema from "./schema";

/** The drizzle database, whichever driver is behind it. A transaction is also a Db. */
export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
export type DbDriver = "pglite" | "postgres";

type Handle = { db: Db; driver: DbDriver; url?: string; close: () => Promise<void> };

const MIGRATIONS_FOLDER = path.join(process.cwd(), "db", "migrations");
// On globalThis, not in module scope: a dev reload, and the custom server's device fast path (a second copy of this
// module in the same process, see scripts/server.ts), must find the one open database, never open a second one.
const g = globalThis as unknown as { __signalpostDb?: Handle; __signalpostDbOpening?: Promise<Handle> };

/** Which driver this process uses: node-postgres when DATABASE_URL is set, otherwise embedded PGlite. */
export function configuredDriver(): DbDriver {
  return process.env.DATABASE_URL ? "postgres" : "pglite";
}

/** Opens a database handle (not cached). `target` is a postgres URL, a PGlite directory, or "memory://". */
export async function openDatabase(target?: string): Promise<Handle> {
  const url = target ?? process.env.DATABASE_URL;
  if (url && /^postgres(ql)?:\/\//.test(url)) {
    const { Pool, types } = await import("pg");
    // bigint (int8) counts and ids fit in JS numbers for this app's sizes
    types.setTypeParser(20, (v) => Number(v));
    const size = intEnv("DATABASE_POOL_SIZE", 10) || 10;
    const pool = new Pool({
      connectionString: url,
      max: size,
      // A connection idle this long is closed (0: never). 10 minutes (HikariCP's default), not seconds: under
      // steady load a 30 s timeout closed the connections a burst had opened, and the next burst stalled while new
      // ones started and planned every prepared statement again (measured, see BENCHMARKS.md).
      idleTimeoutMillis: intEnv("DATABASE_POOL_IDLE_TIMEOUT_MS", 600_000),
      // idle connections (and their timers) do not keep a process alive: a script that ends without closing its
      // handle exits instead of waiting out the idle timeout
      allowExitOnIdle: true,
      connectionTimeoutMillis: intEnv("DATABASE_CONNECT_TIMEOUT_MS", 5_000),
    });
    // A dropped connection (e.g. Postgres restarting) must not crash the process.
    pool.on("error", (err) => console.error("[db] idle client error:", err.message));
    // A checked-out client (e.g. between the statements of a transaction) whose connection drops emits "error"
    // too; without a listener that is an uncaught exception that kills the process. The query in progress still
    // fails with the error. drizzle releases a pooled client only once BEGIN succeeded, so a connection that dies
    // at that moment would stay checked out forever and, after a few restarts of Postgres, exhaust the pool: a
    // broken client still checked out 5 s later is given back (and discarded).
    const checkedOut = new WeakSet<object>();
    pool.on("acquire", (client) => checkedOut.add(client));
    pool.on("release", (_err, client) => checkedOut.delete(client));
    pool.on("connect", (client) => {
      client.on("error", (err) => {
        console.error("[db] connection error:", err.message);
        setTimeout(() => {
          if (checkedOut.has(client)) client.release(err);
        }, 5_000).unref();
      });
    });
    const { drizzle } = await import("drizzle-orm/node-postgres");
    const db = drizzle(pool, { schema }) as unknown as Db;
    return { db, driver: "postgres", url, close: () => pool.end() };
  }
  const { PGlite } = await import("@electric-sql/pglite");
  const dir = target ?? process.env.PGLITE_DIR ?? "./.data/pglite";
  if (!dir.startsWith("memory://")) fs.mkdirSync(dir, { recursive: true });
  const client = new PGlite(dir.startsWith("memory://") ? undefined : dir);
  await client.waitReady;
  const { drizzle } = await import("drizzle-orm/pglite");
  const db = drizzle(client, { schema }) as unknown as Db;
  return { db, driver: "pglite", close: () => client.close() };
}

/** Applies committed drizzle-kit migrations; serialized across processes with an advisory lock on Postgres. */
export async function migrate(handle: Handle): Promise<void> {
  if (handle.driver === "postgres") {
    const { Client } = await import("pg");
    const { drizzle } = await import("drizzle-orm/node-postgres");
    const { migrate: migratePg } = await import("drizzle-orm/node-postgres/migrator");
    // One dedicated connection holds the advisory lock, so concurrent starts migrate one at a time.
    const client = new Client({ connectionString: handle.url });
    await client.connect();
    try {
      await client.query("select pg_advisory_lock(727274)");
      await migratePg(drizzle(client), { migrationsFolder: MIGRATIONS_FOLDER });
    } finally {
      await client.end();
    }
    return;
  }
  const { migrate: migrateLite } = await import("drizzle-orm/pglite/migrator");
  await migrateLite(handle.db as never, { migrationsFolder: MIGRATIONS_FOLDER });
}

async function openProcessDatabase(): Promise<Handle> {
  const handle = await openDatabase();
  await migrate(handle);
  return handle;
}

/** The process-wide database, opened and migrated once (cached on globalThis so dev reloads reuse it). */
export async function getDatabase(): Promise<Handle> {
  if (g.__signalpostDb) return g.__signalpostDb;
  g.__signalpostDbOpening ??= openProcessDatabase().then((h) => (g.__signalpostDb = h));
  return g.__signalpostDbOpening;
}

/** Shorthand for the process-wide drizzle instance. */
export async function getDb(): Promise<Db> {
  return (await getDatabase()).db;
}

/** Installs a database as the process-wide one (tests, scripts that manage their own). */
export function setProcessDatabase(handle: Handle | undefined): void {
  g.__signalpostDb = handle;
  g.__signalpostDbOpening = handle ? Promise.resolve(handle) : undefined;
}

/** Runs raw SQL and returns its rows, for both drivers. */
export async function queryRows<T>(db: Db, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}

/** Distinct statements prepared by name at most; past it statements run unnamed (bounds server-side memory). */
const MAX_PREPARED = 500;
const preparedNames = new Map<string, string>();

type InternalDb = {
  dialect: { sqlToQuery(query: SQL): { sql: string; params: unknown[] } };
  session: { prepareQuery(query: { sql: string; params: unknown[] }, fields: undefined, name: string | undefined, arrayMode: boolean): { execute(): Promise<unknown> } };
};

/**
 * queryRows for hot statements: on PostgreSQL a named prepared statement (named after its text), so each
 * connection plans it once and then reuses the plan; planning cost more than executing for the device API's
 * statements (measured in BENCHMARKS.md). Only for statements whose text comes in a few shapes (values are
 * parameters), since every shape is kept on every connection. PGlite runs it as queryRows does.
 */
export async function preparedRows<T>(db: Db, query: SQL): Promise<T[]> {
  const internal = db as unknown as InternalDb;
  const built = internal.dialect.sqlToQuery(query);
  let name = preparedNames.get(built.sql);
  if (name === undefined && preparedNames.size < MAX_PREPARED) {
    name = `sp_${createHash("sha1").update(built.sql).digest("hex").slice(0, 20)}`;
    preparedNames.set(built.sql, name);
  }
  const result = (await internal.session.prepareQuery(built, undefined, name, false).execute()) as { rows: T[] };
  return result.rows;
}

export { schema };
export type { Handle as DatabaseHandle };

/** Whether every committed migration is applied (for /api/health). */
export async function migrationStatus(db: Db): Promise<{ applied: number; expected: number; current: boolean }> {
  const journal = JSON.parse(fs.readFileSync(path.join(MIGRATIONS_FOLDER, "meta", "_journal.json"), "utf8")) as {
    entries: unknown[];
  };
  const [row] = await queryRows<{ n: number }>(
    db,
    sql`select count(*)::int as n from drizzle.__drizzle_migrations`,
  );
  const applied = Number(row?.n ?? 0);
  return { applied, expected: journal.entries.length, current: applied >= journal.entries.length };
}
