// Test double for lib/auth/session: the cookie layer is replaced, the authorization checks behind it are real.
let currentUserId: number | null = null;

/** Act as this user in the following action calls (null = signed out). */
export function actAs(userId: number | null): void {
  currentUserId = userId;
}

export async function getSessionUserId(): Promise<number | null> {
  return currentUserId;
}
