// The house rules of docs/architecture.md, checked on the source: which folder may import which. A new import that
// breaks a rule fails here with the file and the import, instead of surfacing later as a cycle.
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(__dirname, "../..");

function filesUnder(dir: string): string[] {
  const abs = path.join(root, dir);
  const out: string[] = [];
  for (const name of readdirSync(abs)) {
    const rel = path.join(dir, name);
    if (statSync(path.join(root, rel)).isDirectory()) out.push(...filesUnder(rel));
    else if (/\.(ts|tsx)$/.test(name)) out.push(rel);
  }
  return out;
}

/** Every `@/…` or relative module a file imports (static, dynamic and re-exports), as a repository path. */
function importsOf(file: string): string[] {
  const src = readFileSync(path.join(root, file), "utf8");
  const specs = [...src.matchAll(/(?:from|import)\s*\(?\s*"([^"]+)"/g)].map((m) => m[1]);
  return specs.flatMap((s) => {
    if (s.startsWith("@/")) return [s.slice(2)];
    if (s.startsWith(".")) return [path.join(path.dirname(file), s)];
    return [];
  });
}

/** The feature folder of a lib path: lib/delivery/pass → "delivery"; lib/audit → "audit". */
function area(p: string): string | null {
  const m = /^lib\/([^/.]+)/.exec(p);
  return m ? m[1] : null;
}

const libFiles = filesUnder("lib");

/** Folder → the folders it imports, from the source. */
function areaGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of libFiles) {
    const from = area(file)!;
    for (const target of importsOf(file)) {
      const to = area(target);
      if (!to || to === from) continue;
      if (!graph.has(from)) graph.set(from, new Set());
      graph.get(from)!.add(to);
    }
  }
  return graph;
}

describe("layers", () => {
  it("db/ imports nothing from lib/", () => {
    const offenders = filesUnder("db").flatMap((f) => importsOf(f).filter((i) => i.startsWith("lib/")).map((i) => `${f} → ${i}`));
    expect(offenders).toEqual([]);
  });

  it("the engine and the domain folders form no cycle", () => {
    const graph = areaGraph();
    const core = ["events", "webhooks", "delivery", "devices", "jobs"];
    const cycles: string[] = [];
    const reach = (from: string, target: string, seen = new Set<string>()): boolean => {
      for (const next of graph.get(from) ?? []) {
        if (next === target) return true;
        if (seen.has(next)) continue;
        seen.add(next);
        if (reach(next, target, seen)) return true;
      }
      return false;
    };
    for (const a of core) for (const b of graph.get(a) ?? []) if (core.includes(b) && reach(b, a)) cycles.push(`${a} → ${b} → … → ${a}`);
    expect(cycles).toEqual([]);
  });

  it("the layers point one way: events ← webhooks ← delivery ← devices ← jobs", () => {
    const order = ["events", "webhooks", "delivery", "devices", "jobs"];
    const graph = areaGraph();
    const upward: string[] = [];
    for (const [from, tos] of graph) {
      const i = order.indexOf(from);
      if (i < 0) continue;
      for (const to of tos) if (order.indexOf(to) > i) upward.push(`${from} → ${to}`);
    }
    expect(upward).toEqual([]);
  });

  it("domain code does not import the server-action layer", () => {
    const offenders = libFiles
      .filter((f) => !f.startsWith("lib/actions/"))
      .flatMap((f) => importsOf(f).filter((i) => i.startsWith("lib/actions")).map((i) => `${f} → ${i}`));
    expect(offenders).toEqual([]);
  });

  it("only the production server imports the device fast path (its kick skips after(), which app code needs)", () => {
    const offenders = [...filesUnder("app"), ...filesUnder("components"), ...libFiles, ...filesUnder("scripts")]
      .filter((f) => f !== "scripts/server.ts")
      .flatMap((f) => importsOf(f).filter((i) => i.replace(/\.ts$/, "") === "lib/devices/fast-path").map((i) => `${f} → ${i}`));
    expect(offenders).toEqual([]);
  });

  it("no file refers to a document outside the repository", () => {
    const offenders = [...libFiles, ...filesUnder("components"), ...filesUnder("app"), ...filesUnder("db"), ...filesUnder("scripts"), ...filesUnder("tests")]
      .filter((f) => /DESIGN(\.md| §)/.test(readFileSync(path.join(root, f), "utf8")) && !f.endsWith("layers.test.ts"));
    expect(offenders).toEqual([]);
  });
});
