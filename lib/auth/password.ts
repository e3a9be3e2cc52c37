import "server-only";
import bcrypt from "bcryptjs";

const COST = Number(process.env.BCRYPT_COST ?? 10);
// Compared against when the email is unknown, so a miss costs as long as a hit.
const DUMMY_HASH = "$2b$10$CwTycUXWue0Thq9StjUM0uJ8Y2bGZ6mZ4Xl0sQ6R1mVRm0pFz0bqS";

/** bcrypt hash of a password. */
export function hashPassword(password: string): Promise<string> {
  return bcrypt.hash(password, COST);
}

/** Constant-work check of a password against a hash (or against a dummy when there is no user). */
export async function verifyPassword(password: string, hash: string | null | undefined): Promise<boolean> {
  const ok = await bcrypt.compare(password, hash ?? DUMMY_HASH);
  return ok && !!hash;
}
