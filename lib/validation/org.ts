import { z } from "zod";

export const ORG_NAME_MAX = 100;

const orgName = z
  .string()
  .trim()
  .min(1, "Enter a name for the organization")
  .max(ORG_NAME_MAX, `Organization name must be at most ${ORG_NAME_MAX} characters`);

/** Settings → rename the org (the slug in URLs stays). */
export const renameOrgSchema = z.object({ orgSlug: z.string().min(1), name: orgName });
export type RenameOrgInput = z.infer<typeof renameOrgSchema>;

/** New organization form. */
export const createOrgSchema = z.object({ name: orgName });
export type CreateOrgInput = z.infer<typeof createOrgSchema>;
