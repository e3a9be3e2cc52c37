// The module aliases of both vitest configs (vitest.config.mts and tests/reliability/vitest.config.mts).
import path from "node:path";

export function testAliases(root: string) {
  return [
    // "server-only" throws outside React Server Components; in tests it is just a marker.
    { find: /^server-only$/, replacement: path.join(root, "tests/support/empty.ts") },
    // Tests act as a chosen user instead of reading the session cookie (everything else is real).
    { find: /^@\/lib\/auth\/session$/, replacement: path.join(root, "tests/support/session.ts") },
    { find: /^@\//, replacement: `${root}/` },
  ];
}
