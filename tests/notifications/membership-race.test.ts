import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { memberships, notificationPrefs } from "@/db/schema";
import { UserError } from "@/lib/errors";
import { applyUnsubscribe, saveMyNotifications } from "@/lib/notifications/prefs";
import { useTestDatabase } from "../support/db";
import { twoOrgs } from "../support/fixtures";

// A member removed while their unsubscribe or save is running: the write waits for the removal (the membership is
// locked FOR KEY SHARE) and answers "gone" — never a foreign-key error (a 500 on the unsubscribe page, "something
// went wrong" on the form). Two connections are needed, so this runs on PostgreSQL.
describe.skipIf(!process.env.DATABASE_URL)("My notifications racing a member's removal (PostgreSQL)", () => {
  const db = useTestDatabase();

  it("unsubscribe and save wait for the removal and report the member gone; nothing is left behind", async () => {
    const t = await twoOrgs(db());
    const who = { orgId: t.orgA.id, userId: t.memberA.id };
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let removedUncommitted!: () => void;
    const removing = new Promise<void>((r) => (removedUncommitted = r));
    const removal = db().transaction(async (tx) => {
      await tx.delete(memberships).where(and(eq(memberships.orgId, who.orgId), eq(memberships.userId, who.userId)));
      removedUncommitted();
      await gate;
    });
    await removing;
    const unsubscribed = applyUnsubscribe(db(), { ...who, kind: "notifications" });
    const saved = saveMyNotifications(db(), who, {
      orgSlug: t.orgA.slug,
      events: ["device.status.offline"],
      deviceScope: "all",
      deviceIds: [],
      deviceTags: [],
      mode: "each",
      digestMinutes: 15,
      alerts: false,
    }).then(
      () => "saved",
      (err: unknown) => err,
    );
    await new Promise((r) => setTimeout(r, 200)); // both are now waiting on the membership row
    release();
    await removal;
    expect(await unsubscribed).toBe(false);
    const err = await saved;
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(/no longer belong/);
    expect(await db().select().from(notificationPrefs)).toEqual([]);
  });
});
