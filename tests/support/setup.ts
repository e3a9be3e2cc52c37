import { vi } from "vitest";

process.env.AUTH_SECRET ??= "test-auth-secret";
process.env.BCRYPT_COST ??= "4";

// next/cache needs a Next request context; in tests revalidation is a no-op.
vi.mock("next/cache", () => ({
  revalidatePath: () => undefined,
  revalidateTag: () => undefined,
  updateTag: () => undefined,
  refresh: () => undefined,
}));
