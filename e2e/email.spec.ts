import { expect, test } from "@playwright/test";
import { signIn, signOut, signUp, uniqueId } from "./helpers";

// Without SMTP_URL (the e2e server has none), emails are stored and read under Emails: the invitation link is
// taken from there, as a developer would with `npm run dev`.
test("invite by email → the link from the Emails view → sign up and join → sign in again", async ({ browser }) => {
  const ownerContext = await browser.newContext();
  const page = await ownerContext.newPage();
  const owner = await signUp(page, { name: "Olivia Owner", org: `Acme ${uniqueId()}` });
  const invitee = `ivy-${uniqueId()}@example.com`;

  await page.getByRole("link", { name: "Members" }).click();
  await page.getByRole("button", { name: "Invite by email" }).click();
  const dialog = page.getByRole("dialog", { name: "Invite by email" });
  await dialog.getByLabel("Email").fill("not an address");
  await dialog.getByRole("button", { name: "Send invitation" }).click();
  await expect(dialog.getByText("Enter a valid email address, like name@example.com")).toBeVisible();
  await dialog.getByLabel("Email").fill(invitee);
  await dialog.getByLabel("Role").selectOption("admin");
  await dialog.getByRole("button", { name: "Send invitation" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByText(`Invited ${invitee} as Admin.`)).toBeVisible();
  await expect(page.getByTestId(`invitation-${invitee}`)).toBeVisible();

  // the Emails view shows the stored invitation: recipient, subject, HTML in a sandboxed frame, and the text part
  await page.getByRole("link", { name: "Emails" }).click();
  await expect(page.getByRole("heading", { name: "Emails", level: 1 })).toBeVisible();
  const subject = page.getByRole("link", { name: /You are invited to Acme/ });
  await expect(subject).toBeVisible();
  await expect(page.getByRole("row", { name: new RegExp(invitee) })).toContainText("Stored");
  await subject.click();
  const frame = page.locator('iframe[title="HTML part"]');
  await expect(frame).toHaveAttribute("sandbox", "allow-popups allow-popups-to-escape-sandbox");
  await expect(page.frameLocator('iframe[title="HTML part"]').getByRole("link", { name: "Accept invitation" })).toBeVisible();
  const text = (await page.getByTestId("email-text").textContent()) ?? "";
  const link = /https?:\/\/\S+\/invite\/(inv_[A-Za-z0-9_-]+)/.exec(text);
  expect(link, "an invitation link in the text part").toBeTruthy();
  const path = `/invite/${link![1]}`;

  // the invitee opens the link in their own browser, creates an account and lands in the org
  const inviteeContext = await browser.newContext();
  const other = await inviteeContext.newPage();
  await other.goto(path);
  await expect(other.getByRole("heading", { name: /Join Acme/ })).toBeVisible();
  await expect(other.getByLabel("Email")).toHaveValue(invitee);
  await other.getByLabel("Name", { exact: true }).fill("Ivy Invitee");
  await other.getByLabel("Password").fill("correct horse battery");
  await other.getByRole("button", { name: "Create account and join" }).click();
  await other.waitForURL(new RegExp(`/orgs/${owner.slug}/devices`));

  // sign out and back in with the new account: the org is there
  await signOut(other);
  await signIn(other, invitee, "correct horse battery");
  await expect(other).toHaveURL(new RegExp(`/orgs/${owner.slug}/`));

  // the link was single use
  await other.goto(path);
  await expect(other.getByText("This invitation was already used.")).toBeVisible();

  // the owner sees the new admin and no pending invitation
  await page.goto(`/orgs/${owner.slug}/members`);
  await expect(page.getByTestId(`member-${invitee}`)).toContainText("Admin");
  await expect(page.getByTestId(`invitation-${invitee}`)).toHaveCount(0);
  await ownerContext.close();
  await inviteeContext.close();
});
