import { vi } from "vitest";

process.env.AUTH_SECRET ??= "test-auth-secret";
process.env.BCRYPT_COST ??= "4";
// cheap argon2id parameters in tests (production defaults: 19 MiB, 2 passes)
process.env.ARGON2_MEMORY_KIB ??= "1024";
process.env.ARGON2_TIME_COST ??= "1";
// The tests deliver to receivers on 127.0.0.1, which the URL guard refuses unless this is set (it is off by default
// everywhere). The SSRF tests unset it to check the default.
process.env.WEBHOOK_ALLOW_PRIVATE_URLS ??= "1";

// next/cache needs a Next request context; in tests revalidation is a no-op.
vi.mock("next/cache", () => ({
  revalidatePath: () => undefined,
  revalidateTag: () => undefined,
  updateTag: () => undefined,
  refresh: () => undefined,
}));
