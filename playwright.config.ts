import { defineConfig } from "@playwright/test";

// Each checkout/run can pick its own port, build folder and database so runs never share state.
const port = Number(process.env.E2E_PORT ?? 3100);
const distDir = process.env.NEXT_DIST_DIR ?? ".next-e2e";
const pgliteDir = process.env.E2E_PGLITE_DIR ?? `./.data/e2e-${port}`;
const skipBuild = process.env.E2E_SKIP_BUILD === "1";
const build = skipBuild ? "" : "npm run -s build && ";

export default defineConfig({
  testDir: "./e2e",
  outputDir: "./test-results",
  fullyParallel: false,
  workers: 1,
  retries: process.env.CI ? 1 : 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: process.env.CI ? [["list"], ["json", { outputFile: "test-results/e2e.json" }]] : [["list"]],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
      ],
    },
  },
  projects: [{ name: "chromium", use: { browserName: "chromium", viewport: { width: 1360, height: 900 } } }],
  webServer: {
    // `npm start`: the production server (Next.js plus the device routes' fast path), as a user runs it
    command: `rm -rf ${pgliteDir} && ${build}node dist/server.cjs -H 127.0.0.1 -p ${port}`,
    url: `http://127.0.0.1:${port}/api/health`,
    timeout: 300_000,
    reuseExistingServer: false,
    stdout: "pipe",
    stderr: "pipe",
    env: {
      NEXT_DIST_DIR: distDir,
      PGLITE_DIR: pgliteDir,
      AUTH_SECRET: process.env.AUTH_SECRET ?? "e2e-auth-secret-0123456789abcdef",
      NEXT_TELEMETRY_DISABLED: "1",
      WEBHOOK_ALLOW_PRIVATE_URLS: "1",
      CRON_SECRET: "e2e-cron-secret",
      WEBHOOK_RETRY_SCHEDULE: process.env.WEBHOOK_RETRY_SCHEDULE ?? "2,4,8",
      // the fleet overview's aggregates follow within seconds
      FLEET_ROLLUP_SECONDS: "2",
      // the demo org (a production start seeds it only when asked), for the specs that look at a populated org
      SEED_DEMO: "1",
      SEED_DEMO_PASSWORD: "signalpost",
      // the e2e database is never DATABASE_URL: a fresh PGlite per run
      DATABASE_URL: "",
    },
  },
});
