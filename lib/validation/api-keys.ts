/** Zod schemas of the Settings → API keys form (client form and server action). Isomorphic. */
import { z } from "zod";

export const API_KEY_SCOPES = ["read", "write"] as const;
export type ApiKeyScopeName = (typeof API_KEY_SCOPES)[number];
export const API_KEY_SCOPE_LABELS: Record<ApiKeyScopeName, string> = { read: "Read", write: "Read and write" };

/** Expiry choices of the form, in days ("never": no expiry). */
export const API_KEY_EXPIRY_CHOICES = ["never", "7", "30", "90", "365"] as const;

export const apiKeyCreateSchema = z.object({
  name: z.string({ error: "Name is required" }).trim().min(1, "Name is required").max(100, "Name must be at most 100 characters"),
  scope: z.enum(API_KEY_SCOPES, { error: "Choose read or write" }),
  expiresInDays: z.enum(API_KEY_EXPIRY_CHOICES, { error: "Choose when the key expires" }).default("never"),
});
export type ApiKeyCreateInput = z.infer<typeof apiKeyCreateSchema>;

export const apiKeyRefSchema = z.object({ keyId: z.coerce.number().int().positive() });
