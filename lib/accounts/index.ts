// Accounts, orgs and members: domain logic behind sign-up, the members page, settings and the audit page.
export { AccountError } from "./errors";
export { slugify, freeSlugCandidate } from "./slug";
export { createOrgForUser, createUserWithOrg, findUser, listUserOrgs, renameOrg, type OrgSummary } from "./orgs";
export { addMember, changeMemberRole, listMembers, removeMember, type MemberActor, type MemberRow } from "./members";
