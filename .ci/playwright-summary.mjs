// Counts a Playwright JSON report for .ci/run: prints "<passed> <failed>" on stdout. A "flaky" test (failed, then
// passed on retry) counts as FAILED, and every flaky or failed test is named on stderr, so a test that fails
// sometimes is never reported green.
import fs from "node:fs";
import path from "node:path";

const report = JSON.parse(fs.readFileSync(path.resolve(process.argv[2]), "utf8"));
const named = { flaky: [], unexpected: [] };
function walk(suite, trail) {
  const here = suite.title ? [...trail, suite.title] : trail;
  for (const spec of suite.specs ?? []) {
    for (const test of spec.tests ?? []) {
      if (test.status in named) named[test.status].push(`${[...here, spec.title].join(" › ")} (${spec.file ?? suite.file ?? ""}:${spec.line ?? ""})`);
    }
  }
  for (const child of suite.suites ?? []) walk(child, here);
}
for (const suite of report.suites ?? []) walk(suite, []);
const s = report.stats ?? {};
for (const t of named.flaky) console.error(`FLAKY (counted as failed): ${t}`);
for (const t of named.unexpected) console.error(`FAILED: ${t}`);
console.log(`${s.expected ?? 0} ${(s.unexpected ?? 0) + (s.flaky ?? 0)}`);
