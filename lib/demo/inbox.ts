import "server-only";
import type { Db } from "@/db/client";
import { createInboxRow } from "@/lib/inbox/service";

/** Creates the demo org's "Demo inbox" (answers 200 at once) and returns its token for the demo webhook's URL. */
export async function seedDemoInbox(db: Db, orgId: number): Promise<string> {
  const inbox = await createInboxRow(db, { orgId, name: "Demo inbox", responseStatus: 200, responseDelayMs: 0 });
  return inbox.token;
}
