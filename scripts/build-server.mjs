// Bundles the production server (scripts/server.ts and the lib code of its device fast path) into dist/server.mjs.
// Packages stay in node_modules (the same copies Next.js loads); `server-only` is empty here, as under Next's
// server build. Run by `npm run build` after `next build`.
import { build } from "esbuild";

await build({
  entryPoints: ["scripts/server.ts"],
  outfile: "dist/server.cjs",
  bundle: true,
  platform: "node",
  // CommonJS: packages are loaded as Next.js loads them (`next/server` has no ESM entry for Node to resolve)
  format: "cjs",
  target: "node20",
  packages: "external",
  tsconfig: "tsconfig.json",
  sourcemap: "linked",
  logLevel: "warning",
  plugins: [
    {
      name: "server-only",
      setup(b) {
        b.onResolve({ filter: /^server-only$/ }, () => ({ path: "server-only", namespace: "empty" }));
        b.onLoad({ filter: /.*/, namespace: "empty" }, () => ({ contents: "", loader: "js" }));
      },
    },
  ],
});
