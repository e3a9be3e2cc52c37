import { randomBytes } from "node:crypto";

export type SeedPlan = { seed: false } | { seed: true; password: string; passwordShown: "fixed" | "chosen" | "generated" };

/**
 * Whether the server start seeds the demo org, and with which password:
 * - `SEED_DEMO=0`: never; `SEED_DEMO=1`: always (on an empty database);
 * - unset: only under `npm run dev` (NODE_ENV=development) on the embedded database — a production start
 *   (`next start`, NODE_ENV=production) never creates a known login by itself.
 * In development the password is the documented demo password. Anywhere else it is SEED_DEMO_PASSWORD when set,
 * or a random one printed once to the server log: never a fixed, published password in production.
 */
export function demoSeedPlan(
  env: Record<string, string | undefined>,
  driver: "pglite" | "postgres",
  demoPassword: string,
): SeedPlan {
  const wanted = env.SEED_DEMO ? env.SEED_DEMO === "1" : env.NODE_ENV === "development" && driver === "pglite";
  if (!wanted) return { seed: false };
  if (env.NODE_ENV === "development") return { seed: true, password: demoPassword, passwordShown: "fixed" };
  if (env.SEED_DEMO_PASSWORD) return { seed: true, password: env.SEED_DEMO_PASSWORD, passwordShown: "chosen" };
  return { seed: true, password: randomBytes(12).toString("base64url"), passwordShown: "generated" };
}
