import { z } from "zod";

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 200;

const email = z
  .string()
  .trim()
  .min(1, "Enter your email address")
  .max(254, "Email must be at most 254 characters")
  .pipe(z.email("Enter a valid email address, like name@example.com"))
  .transform((v) => v.toLowerCase());

/** Where to go after signing in: only a path on this site (never "//host" or a full URL). */
export const safeNextPath = z
  .string()
  .optional()
  .transform((v) => (v && /^\/(?!\/)[^\s\\]*$/.test(v) ? v : undefined));

const newPassword = z
  .string()
  .min(PASSWORD_MIN, `Password must be at least ${PASSWORD_MIN} characters`)
  .max(PASSWORD_MAX, `Password must be at most ${PASSWORD_MAX} characters`)
  .refine((v) => v.trim() !== "", "Password cannot be only spaces");

/** Sign-up form: Name, Email, Password, Organization name. */
export const signUpSchema = z.object({
  name: z.string().trim().min(1, "Enter your name").max(100, "Name must be at most 100 characters"),
  email,
  password: newPassword,
  orgName: z
    .string()
    .trim()
    .min(1, "Enter a name for your organization")
    .max(100, "Organization name must be at most 100 characters"),
});
export type SignUpInput = z.infer<typeof signUpSchema>;

/** Sign-in form: Email, Password. */
export const signInSchema = z.object({
  email,
  password: z.string().min(1, "Enter your password").max(PASSWORD_MAX),
  next: safeNextPath,
});
export type SignInInput = z.infer<typeof signInSchema>;

/** Account → Change password: Current password, New password. */
export const changePasswordSchema = z.object({
  currentPassword: z.string().min(1, "Enter your current password").max(PASSWORD_MAX),
  newPassword,
});
