// Accounts, orgs and members: domain logic behind sign-up, the members page, settings and the audit page.
export { AccountError } from "./errors";
export { slugify, freeSlugCandidate } from "./slug";
export { assertOrgQuota, createOrgForUser, createUserWithOrg, findUser, maxOrgsPerUser, listUserOrgs, renameOrg, type OrgSummary } from "./orgs";
export { addMember, changeMemberRole, listMembers, removeMember, type Actor, type MemberRow } from "./members";
export { AUDIT_PAGE_SIZE, listAuditEntries, type AuditRow } from "./audit";
