import type { Role } from "@/db/schema/accounts";

/** Every permission the app checks. Roles map to them here and nowhere else. */
export const PERMISSIONS = ["org.read", "org_setting.modify", "device.modify"] as const;
export type Permission = (typeof PERMISSIONS)[number];

const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  owner: ["org.read", "org_setting.modify", "device.modify"],
  admin: ["org.read", "org_setting.modify", "device.modify"],
  member: ["org.read"],
};

/** Whether a role grants a permission. */
export function roleCan(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].includes(permission);
}

export const ROLE_LABELS: Record<Role, string> = { owner: "Owner", admin: "Admin", member: "Member" };
