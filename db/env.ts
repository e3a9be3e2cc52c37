// Environment parsing for the lowest layer. db/ imports nothing from lib/, so the integer reader lives here and
// lib/env.ts re-exports it for everything above.

/** Reads a non-negative number environment variable with a default; a malformed value throws, naming the variable. */
export function intEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number, got "${raw}"`);
  return n;
}
