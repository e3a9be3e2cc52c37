import { securityHeaderRules } from "./lib/http/security-headers.mjs";

/** @type {import('next').NextConfig} */
const nextConfig = {
  // PGlite ships WASM and data files that must be loaded from node_modules at run time.
  // prom-client: loaded from node_modules, one copy for the route handlers and the embedded loop.
  serverExternalPackages: ["@electric-sql/pglite", "pg", "@node-rs/argon2", "prom-client"],
  // Separate build folders let e2e runs and a dev server coexist in one checkout.
  distDir: process.env.NEXT_DIST_DIR || ".next",
  poweredByHeader: false,
  // `npm run typecheck` (run by CI) is the type gate; the build does not repeat it.
  typescript: { ignoreBuildErrors: true },
  typedRoutes: false,
  // frame-ancestors 'none' / X-Frame-Options DENY, nosniff, Referrer-Policy; HSTS over https
  headers: async () => securityHeaderRules(),
};

export default nextConfig;
