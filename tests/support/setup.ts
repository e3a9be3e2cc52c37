import { vi } from "vitest";

process.env.AUTH_SECRET ??= "test-auth-secret";
process.env.BCRYPT_COST ??= "4";
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
