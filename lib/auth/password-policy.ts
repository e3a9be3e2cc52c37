import "server-only";
import { COMMON_PASSWORDS_TEXT } from "./common-passwords";

/**
 * Passwords refused at sign-up and password change besides the length rules: whitespace only, and the most common
 * passwords (lib/auth/common-passwords.ts: the 4,000 most frequent passwords of 8 or more characters from the
 * zxcvbn frequency list, MIT licensed), compared case-insensitively and ignoring surrounding spaces.
 */
let common: Set<string> | undefined;

function commonPasswords(): Set<string> {
  if (!common) {
    common = new Set(
      COMMON_PASSWORDS_TEXT.join("\n")
        .split("\n")
        .map((l) => l.trim().toLowerCase())
        .filter(Boolean),
    );
  }
  return common;
}

/** Why a new password is refused, or null when it is acceptable (length is checked by the form's schema). */
export function passwordWeakness(password: string): string | null {
  if (password.trim() === "") return "Password cannot be only spaces";
  if (commonPasswords().has(password.trim().toLowerCase())) {
    return "This password is one of the most common passwords; choose a less guessable one";
  }
  return null;
}
