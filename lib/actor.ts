/**
 * Who performs a change in an org: a signed-in user, or the system (userId null: the delivery engine disabling a
 * webhook, the presence sweep). Every domain write takes one, and its audit entry names it.
 */
export type Actor = { orgId: number; userId: number | null };
