/**
 * Whether a database error (or one it wraps: drizzle puts the driver's error in `cause`) carries the given
 * PostgreSQL SQLSTATE, e.g. "23505" unique violation, "23503" foreign-key violation. PGlite reports the same codes.
 */
export function hasSqlState(err: unknown, code: string): boolean {
  for (let e: unknown = err, i = 0; e && i < 5; e = (e as { cause?: unknown }).cause, i++) {
    if ((e as { code?: unknown }).code === code) return true;
  }
  return false;
}
