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

/** Encrypts a string with AES-256-GCM → "v1.<iv>.<tag>.<ciphertext>" (base64url parts). */
export function encryptSecret(plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key(), iv);
  const ct = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return ["v1", iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), ct.toString("base64url")].join(".");
}

/** Decrypts what encryptSecret produced; throws if it was tampered with or the key changed. */
export function decryptSecret(sealed: string): string {
  const [version, iv, tag, ct] = sealed.split(".");
  if (version !== "v1" || !iv || !tag || ct === undefined) throw new Error("Unrecognised encrypted value");
  const decipher = createDecipheriv("aes-256-gcm", key(), Buffer.from(iv, "base64url"));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([decipher.update(Buffer.from(ct, "base64url")), decipher.final()]).toString("utf8");
}

/** SHA-256 hex of a token (device tokens are stored only as this). */
export function sha256Hex(value: string): string {
  return createHash("sha256").update(value).digest("hex");
}
