import path from "node:path";
import { defineConfig } from "vitest/config";
import { testAliases } from "../support/aliases.mjs";

// The reliability and security suite (npm run test:reliability): fault injection, load, fuzzing and tenancy
// matrices against PostgreSQL. Files run one after another (they start workers, receivers and a throwaway
// PostgreSQL cluster, and measure throughput), with generous timeouts; each test bounds its own load.
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");

export default defineConfig({
  root,
  resolve: {
    alias: testAliases(root),
  },
  test: {
    include: ["tests/reliability/**/*.test.ts"],
    exclude: ["node_modules/**"],
    environment: "node",
    setupFiles: ["tests/support/setup.ts"],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    pool: "forks",
    fileParallelism: false,
    server: { deps: { inline: ["next-auth"] } },
  },
});
