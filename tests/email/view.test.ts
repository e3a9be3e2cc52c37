import { beforeEach, describe, expect, it } from "vitest";
import { emailOutbox } from "@/db/schema";
import { sendTestEmailAction } from "@/lib/actions/emails";
import { getEmail, listEmails } from "@/lib/email/log";
import { pendingEmailKick } from "@/lib/email/kick";
import { queueEmails } from "@/lib/email/queue";
import { renderEmail } from "@/lib/email/render";
import { useTestDatabase } from "../support/db";
import { twoOrgs } from "../support/fixtures";
import { actAs } from "../support/session";

const db = useTestDatabase();
let t: Awaited<ReturnType<typeof twoOrgs>>;

beforeEach(async () => {
  delete process.env.SMTP_URL;
  t = await twoOrgs(db());
  actAs(null);
});

describe("Emails view", () => {
  it("lists an org's emails to owners/admins, only their own to members, and nothing of another org", async () => {
    const email = await renderEmail({ subject: "S", heading: "H", paragraphs: ["p"] });
    const [toAdmin, toMember, inB] = await queueEmails(db(), [
      { kind: "test", to: t.adminA.email, orgId: t.orgA.id, userId: t.adminA.id, email },
      { kind: "test", to: t.memberA.email, orgId: t.orgA.id, userId: t.memberA.id, email },
      { kind: "test", to: t.ownerB.email, orgId: t.orgB.id, userId: t.ownerB.id, email },
    ]);
    expect((await listEmails(db(), t.orgA.id, { onlyTo: null })).emails.map((e) => e.id).sort()).toEqual([toAdmin, toMember].sort());
    expect((await listEmails(db(), t.orgA.id, { onlyTo: t.memberA.email })).emails.map((e) => e.id)).toEqual([toMember]);
    expect(await getEmail(db(), t.orgA.id, inB, null)).toBeNull();
    expect(await getEmail(db(), t.orgA.id, toAdmin, t.memberA.email)).toBeNull();
    expect(await getEmail(db(), t.orgA.id, Number.NaN, null)).toBeNull();
    expect((await getEmail(db(), t.orgA.id, toMember, t.memberA.email))?.html).toContain("<!DOCTYPE html");
  });
});

describe("Send test email", () => {
  it("stores a test email to the signed-in admin (no SMTP_URL) with its attempt", async () => {
    actAs(t.adminA.id);
    const res = await sendTestEmailAction(null, { orgSlug: t.orgA.slug });
    expect(res).toMatchObject({ ok: true });
    await pendingEmailKick();
    const [row] = await db().select().from(emailOutbox);
    expect(row).toMatchObject({ toAddress: t.adminA.email, orgId: t.orgA.id, status: "sent", transport: "stored" });
    const detail = await getEmail(db(), t.orgA.id, row.id, null);
    expect(detail?.attemptLog).toHaveLength(1);
    expect(detail?.text).toContain(`/orgs/${t.orgA.slug}/emails`);
  });

  it("refuses a read-only member and a member of another org, queueing nothing", async () => {
    actAs(t.memberA.id);
    expect(await sendTestEmailAction(null, { orgSlug: t.orgA.slug })).toMatchObject({ ok: false });
    actAs(t.ownerB.id);
    expect(await sendTestEmailAction(null, { orgSlug: t.orgA.slug })).toMatchObject({ ok: false });
    expect(await db().select().from(emailOutbox)).toHaveLength(0);
  });
});
