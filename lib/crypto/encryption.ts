import "server-only";
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from "node:crypto";
import { authSecret } from "@/lib/env";

let cachedKey: Buffer | undefined;

/** The 32-byte key for secrets at rest: APP_ENCRYPTION_KEY (base64 of 32 bytes, or any string, hashed), else derived from AUTH_SECRET. */
function key(): Buffer {
  if (cachedKey) return cachedKey;
  const raw = process.env.APP_ENCRYPTION_KEY;
  if (raw) {
    const decoded = Buffer.from(raw, "base64");
    cachedKey = decoded.length === 32 ? decoded : createHash("sha256").update(raw).digest();
  } else {
    cachedKey = Buffer.from(hkdfSync("sha256", authSecret(), "signalpost", "secrets-at-rest", 32));
  }
  return cachedKey;
}

/**
 * Encrypts a string with AES-256-GCM. With `context` (what the value belongs to, e.g. "webhook:3:17:auth") the
 * context is the associated data: the result is "v2.<iv>.<tag>.<ciphertext>" (base64url parts) and decrypts only
 * with the same context, so a value copied to another row (or another column) does not decrypt. Without one the
 * result is a "v1" value bound to nothing (values that belong to no row).
 */
export function encryptSecret(plaintext: string, context?: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key(), iv);
  if (context !== undefined) cipher.setAAD(aad(context));
  const ct = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  const version = context !== undefined ? "v2" : "v1";
  return [version, iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), ct.toString("base64url")].join(".");
}

function aad(context: string): Buffer {
  return Buffer.from(`signalpost:${context}`, "utf8");
}

/**
 * Decrypts what encryptSecret produced; throws if it was tampered with, the key changed, or (v2) the context is
 * not the one it was sealed for. "v1" values, sealed before values were bound to their row, still decrypt
 * (whatever the context) until they are sealed again (`isBoundToContext` tells them apart).
 */
export function decryptSecret(sealed: string, context?: string): string {
  const [version, iv, tag, ct] = sealed.split(".");
  if ((version !== "v1" && version !== "v2") || !iv || !tag || ct === undefined) throw new Error("Unrecognised encrypted value");
  if (version === "v2" && context === undefined) throw new Error("This encrypted value is bound to a row; its context is needed");
  const decipher = createDecipheriv("aes-256-gcm", key(), Buffer.from(iv, "base64url"));
  if (version === "v2") decipher.setAAD(aad(context!));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([decipher.update(Buffer.from(ct, "base64url")), decipher.final()]).toString("utf8");
}

/** Whether a sealed value is bound to its context (v2); v1 values are resealed by resealing jobs (boot). */
export function isBoundToContext(sealed: string): boolean {
  return sealed.startsWith("v2.");
}

/** Forgets the cached key (tests that change APP_ENCRYPTION_KEY). */
export function resetEncryptionKeyCache(): void {
  cachedKey = undefined;
}

/** SHA-256 hex of a token (device tokens are stored only as this). */
export function sha256Hex(value: string): string {
  return createHash("sha256").update(value).digest("hex");
}
