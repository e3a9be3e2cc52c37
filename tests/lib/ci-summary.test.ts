// Issue #22 item 14: CI counts a Playwright test that failed and then passed on its retry ("flaky") as a failure,
// and names it, instead of counting it green.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(__dirname, "../..");

describe(".ci/playwright-summary.mjs", () => {
  it("counts flaky tests as failed and prints them", () => {
    const r = spawnSync("node", [".ci/playwright-summary.mjs", "tests/lib/fixtures/playwright-report.json"], { cwd: root, encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe("1 2");
    expect(r.stderr).toContain("FLAKY (counted as failed): inbox.spec.ts › picker fills the URL (inbox.spec.ts:40)");
    expect(r.stderr).toContain("FAILED: inbox.spec.ts › nested › fails (inbox.spec.ts:70)");
  });

  it(".ci/run uses it for the Playwright counts", () => {
    const run = readFileSync(path.join(root, ".ci/run"), "utf8");
    expect(run).toContain("node .ci/playwright-summary.mjs test-results/e2e.json");
    expect(run).not.toMatch(/s\.expected\s*\+\s*s\.flaky/);
  });
});
