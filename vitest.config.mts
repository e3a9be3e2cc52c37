import path from "node:path";
import { defineConfig } from "vitest/config";
import { testAliases } from "./tests/support/aliases.mjs";

const root = path.dirname(new URL(import.meta.url).pathname);

export default defineConfig({
  resolve: {
    alias: testAliases(root),
  },
  test: {
    include: ["tests/**/*.test.ts", "lib/**/*.test.ts"],
    exclude: ["tests/reliability/**", "node_modules/**"],
    environment: "node",
    setupFiles: ["tests/support/setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // next-auth imports "next/server" without an extension; inlining lets Vite resolve it (sign-in action tests).
    server: { deps: { inline: ["next-auth"] } },
  },
});
