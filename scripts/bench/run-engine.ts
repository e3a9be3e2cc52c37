// `npm run bench:engine`: sections 2 and 2b only (the engine against a raw HTTP loop, then the same deliveries through
// pg-boss), with no build and no app server: a fresh PostgreSQL database next to BENCH_PG_URL, migrated, dropped.
import { sql } from "drizzle-orm";
import { migrate, openDatabase, setProcessDatabase } from "@/db/client";
import { orgs } from "@/db/schema";
import { PG_BASE } from "./config";
import { benchDelivery } from "./delivery";
import { benchPgBoss } from "./pgboss";
import { rows } from "./report";

async function main() {
  const name = `signalpost_bench_engine_${Date.now()}`;
  const admin = await openDatabase(`${PG_BASE}/postgres`);
  await admin.db.execute(sql.raw(`create database ${name}`));
  const url = `${PG_BASE}/${name}`;
  const handle = await openDatabase(url);
  try {
    await migrate(handle);
    process.env.DATABASE_URL = url; // processOutbox in this process uses the same database
    setProcessDatabase(handle);
    const [org] = await handle.db.insert(orgs).values({ slug: "bench", name: "Bench" }).returning();
    await benchDelivery(handle.db, org.id);
    await benchPgBoss(handle.db, org.id, url);
    console.log("\n" + rows.map((r) => `${r.ok === false ? "✗" : r.ok ? "✓" : " "} ${r.metric.padEnd(60)} ${r.value}${r.target ? `  [${r.target}]` : ""}`).join("\n"));
  } finally {
    await handle.close();
    await admin.db.execute(sql.raw(`drop database if exists ${name} with (force)`)).catch(() => undefined);
    await admin.close();
    const { closeSendPools } = await import("@/lib/delivery/send");
    await closeSendPools();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
