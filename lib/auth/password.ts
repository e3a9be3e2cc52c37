import "server-only";
import { hash as argon2Hash, verify as argon2Verify } from "@node-rs/argon2";
import bcrypt from "bcryptjs";
import { intEnv } from "@/lib/env";

/**
 * Passwords are hashed with argon2id (OWASP's parameters by default: 19 MiB, 2 passes, 1 lane) through a native
 * binding that runs off the event loop. Hashes made by older versions with bcrypt still verify, and are replaced
 * by an argon2id hash at the next successful sign-in (see `needsRehash`).
 */
function argon2Options() {
  return {
    memoryCost: intEnv("ARGON2_MEMORY_KIB", 19_456),
    timeCost: intEnv("ARGON2_TIME_COST", 2),
    parallelism: 1,
  };
}

// Compared against when the email is unknown, so a miss costs about as long as a hit.
let dummyHash: Promise<string> | undefined;

/** argon2id hash of a password (PHC string, salt included). */
export function hashPassword(password: string): Promise<string> {
  return argon2Hash(password, argon2Options());
}

/** Whether a stored hash is a legacy bcrypt hash. */
export function isBcryptHash(hash: string): boolean {
  return /^\$2[aby]\$/.test(hash);
}

/** Whether a stored hash should be replaced by a fresh argon2id hash (bcrypt, or argon2 with weaker parameters). */
export function needsRehash(hash: string): boolean {
  if (isBcryptHash(hash)) return true;
  const m = hash.match(/^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/);
  if (!m) return true;
  const want = argon2Options();
  return Number(m[1]) < want.memoryCost || Number(m[2]) < want.timeCost;
}

/** bcrypt only reads the first 72 bytes of a password. */
export const BCRYPT_MAX_BYTES = 72;

/**
 * Constant-work check of a password against a hash (or against a dummy when there is no user). A legacy bcrypt
 * hash is compared with bcrypt (which ignores bytes after the 72nd: the rehash at sign-in then binds the whole
 * password); everything else with argon2.
 */
export async function verifyPassword(password: string, hash: string | null | undefined): Promise<boolean> {
  if (hash && isBcryptHash(hash)) return bcrypt.compare(password, hash);
  dummyHash ??= hashPassword("signalpost dummy password for unknown accounts");
  const target = hash ?? (await dummyHash);
  let ok = false;
  try {
    ok = await argon2Verify(target, password);
  } catch {
    ok = false; // a malformed stored hash never matches
  }
  return ok && !!hash;
}
