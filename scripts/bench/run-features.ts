// `npm run bench:features`: only section 5 (no app server, no build): a fresh PostgreSQL database next to
// BENCH_PG (default postgres://root@127.0.0.1:5432), migrated, measured, dropped.
import { sql } from "drizzle-orm";
import { migrate, openDatabase } from "@/db/client";
import { PG_BASE } from "./config";
import { benchFeatures } from "./features";
import { rows } from "./report";

async function main() {
  const name = `signalpost_bench_features_${Date.now()}`;
  const admin = await openDatabase(`${PG_BASE}/postgres`);
  await admin.db.execute(sql.raw(`create database ${name}`));
  const handle = await openDatabase(`${PG_BASE}/${name}`);
  try {
    await migrate(handle);
    await benchFeatures(handle.db);
    console.log("\n" + rows.map((r) => `${r.ok === false ? "✗" : r.ok ? "✓" : " "} ${r.metric.padEnd(60)} ${r.value}${r.target ? `  [${r.target}]` : ""}`).join("\n"));
  } finally {
    await handle.close();
    await admin.db.execute(sql.raw(`drop database if exists ${name} with (force)`)).catch(() => undefined);
    await admin.close();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
