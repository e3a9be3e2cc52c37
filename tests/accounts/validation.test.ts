import { describe, expect, it } from "vitest";
import { slugify } from "@/lib/accounts/slug";
import { signInSchema, signUpSchema, safeNextPath } from "@/lib/validation/auth";
import { addMemberSchema, changeRoleSchema } from "@/lib/validation/members";
import { renameOrgSchema } from "@/lib/validation/org";
import { z } from "zod";

const valid = { name: "Ada Lovelace", email: "Ada@Example.com ", password: "correct horse", orgName: "Analytical Engines" };

function fields(result: { success: boolean; error?: z.ZodError }): Record<string, string[] | undefined> {
  return result.error ? (z.flattenError(result.error).fieldErrors as Record<string, string[]>) : {};
}

describe("sign-up validation", () => {
  it("accepts a complete form and lower-cases the email", () => {
    const r = signUpSchema.safeParse(valid);
    expect(r.success).toBe(true);
    expect(r.data?.email).toBe("ada@example.com");
  });

  it("names each missing or bad field", () => {
    const r = signUpSchema.safeParse({ name: " ", email: "not-an-email", password: "short", orgName: "" });
    expect(fields(r)).toMatchObject({
      name: ["Enter your name"],
      email: [expect.stringContaining("valid email")],
      password: ["Password must be at least 8 characters"],
      orgName: ["Enter a name for your organization"],
    });
  });

  it("accepts exactly 8 characters and refuses 7", () => {
    expect(signUpSchema.safeParse({ ...valid, password: "12345678" }).success).toBe(true);
    expect(signUpSchema.safeParse({ ...valid, password: "1234567" }).success).toBe(false);
  });

  it("limits the organization name to 100 characters", () => {
    expect(signUpSchema.safeParse({ ...valid, orgName: "x".repeat(100) }).success).toBe(true);
    expect(fields(signUpSchema.safeParse({ ...valid, orgName: "x".repeat(101) })).orgName).toEqual([
      "Organization name must be at most 100 characters",
    ]);
  });
});

describe("sign-in validation", () => {
  it("keeps only same-site paths as the place to return to", () => {
    expect(safeNextPath.parse("/orgs/acme/webhooks")).toBe("/orgs/acme/webhooks");
    expect(safeNextPath.parse("//evil.example/x")).toBeUndefined();
    expect(safeNextPath.parse("https://evil.example/")).toBeUndefined();
    expect(safeNextPath.parse("/\\evil.example")).toBeUndefined();
    expect(signInSchema.safeParse({ email: "a@b.co", password: "" }).success).toBe(false);
  });
});

describe("members and org validation", () => {
  it("requires a known role and a numeric member id", () => {
    expect(fields(addMemberSchema.safeParse({ orgSlug: "a", email: "x@y.z", role: "king" })).role).toEqual([
      "Choose a role: owner, admin or member",
    ]);
    expect(changeRoleSchema.safeParse({ orgSlug: "a", userId: "12", role: "admin" }).data?.userId).toBe(12);
    expect(changeRoleSchema.safeParse({ orgSlug: "a", userId: "abc", role: "admin" }).success).toBe(false);
  });

  it("refuses an empty or over-long org name", () => {
    expect(renameOrgSchema.safeParse({ orgSlug: "a", name: "  " }).success).toBe(false);
    expect(renameOrgSchema.safeParse({ orgSlug: "a", name: "y".repeat(101) }).success).toBe(false);
    expect(renameOrgSchema.safeParse({ orgSlug: "a", name: " Acme " }).data?.name).toBe("Acme");
  });
});

describe("slugify", () => {
  it.each([
    ["Acme Robotics GmbH", "acme-robotics-gmbh"],
    ["  Ünïcödé   Labs!! ", "unicode-labs"],
    ["---", "org"],
    ["東京", "org"],
    ["new", "new-org"],
    ["x".repeat(80), "x".repeat(48)],
  ])("%s → %s", (name, slug) => {
    expect(slugify(name)).toBe(slug);
  });
});
