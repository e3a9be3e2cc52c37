import type { Role } from "@/db/schema/accounts";
import { Badge } from "@/components/ui";

const LABEL: Record<Role, string> = { owner: "Owner", admin: "Admin", member: "Member" };
const TONE = { owner: "accent", admin: "success", member: "neutral" } as const;

export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  owner: "Everything an admin can do, plus granting and removing the owner role.",
  admin: "Manages devices, webhooks, members and organization settings.",
  member: "Sees devices, webhooks, deliveries and the audit log; changes nothing.",
};

export function roleLabel(role: Role): string {
  return LABEL[role];
}

/** A member's role as a coloured pill. */
export function RoleBadge({ role }: { role: Role }) {
  return <Badge tone={TONE[role]}>{LABEL[role]}</Badge>;
}
