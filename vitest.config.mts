import path from "node:path";
import { defineConfig } from "vitest/config";

const root = path.dirname(new URL(import.meta.url).pathname);

export default defineConfig({
  resolve: {
    alias: [
      // "server-only" throws outside React Server Components; in tests it is just a marker.
      { find: /^server-only$/, replacement: path.join(root, "tests/support/empty.ts") },
      // Tests act as a chosen user instead of reading the session cookie (everything else is real).
      { find: /^@\/lib\/auth\/session$/, replacement: path.join(root, "tests/support/session.ts") },
      { find: /^@\//, replacement: `${root}/` },
    ],
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
    reporters: process.env.CI ? ["default"] : ["default"],
  },
});
