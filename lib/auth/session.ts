import "server-only";
import { auth } from "./config";

/** The signed-in user's id, or null. (Tests replace this module to act as a chosen user.) */
export async function getSessionUserId(): Promise<number | null> {
  const session = await auth();
  const id = Number(session?.user?.id);
  return Number.isInteger(id) && id > 0 ? id : null;
}
