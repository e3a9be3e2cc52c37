// Accounts, orgs and members: domain logic behind sign-up, the members page and settings (the audit log: lib/audit.ts).
export { AccountError } from "./errors";
export { slugify, freeSlugCandidate } from "./slug";
export { assertOrgQuota, createOrgForUser, createUserWithOrg, findUser, maxOrgsPerUser, listUserOrgs, renameOrg, type OrgSummary } from "./orgs";
export { addMember, changeMemberRole, listMembers, removeMember, type MemberActor, type MemberRow } from "./members";
