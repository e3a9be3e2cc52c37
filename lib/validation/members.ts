import { z } from "zod";
import type { Role } from "@/db/schema/accounts";

// Listed here too (not imported) so client forms do not pull the drizzle schema into the browser bundle.
export const ROLE_OPTIONS = ["owner", "admin", "member"] as const satisfies readonly Role[];

const role = z.enum(ROLE_OPTIONS, { error: "Choose a role: owner, admin or member" });
const userId = z.coerce.number({ error: "Member is missing" }).int().positive("Member is missing");

/** Add an existing user (by the email they signed up with) to the org. */
export const addMemberSchema = z.object({
  orgSlug: z.string().min(1),
  email: z
    .string()
    .trim()
    .min(1, "Enter the email address of the person to add")
    .max(254)
    .pipe(z.email("Enter a valid email address, like name@example.com"))
    .transform((v) => v.toLowerCase()),
  role,
});
export type AddMemberInput = z.infer<typeof addMemberSchema>;

export const changeRoleSchema = z.object({ orgSlug: z.string().min(1), userId, role });
export type ChangeRoleInput = z.infer<typeof changeRoleSchema>;

export const removeMemberSchema = z.object({ orgSlug: z.string().min(1), userId });
export type RemoveMemberInput = z.infer<typeof removeMemberSchema>;

/** Members → Invite by email. */
export const inviteMemberSchema = addMemberSchema.extend({
  email: z
    .string()
    .trim()
    .min(1, "Enter the email address of the person to invite")
    .max(254, "Email must be at most 254 characters")
    .pipe(z.email("Enter a valid email address, like name@example.com"))
    .transform((v) => v.toLowerCase()),
});

export const invitationRefSchema = z.object({
  orgSlug: z.string().min(1),
  invitationId: z.coerce.number({ error: "Invitation is missing" }).int().positive("Invitation is missing"),
});
