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
  await expect(other).toHaveURL(new RegExp(`/orgs/${owner.slug}(/|$)`));

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

test("a webhook that starts failing sends its owners an operational alert, shown under Emails", async ({ page }) => {
  test.setTimeout(120_000);
  const { startReceiver, behaviours } = await import("../tests/support/receiver");
  const receiver = await startReceiver(behaviours.ok());
  try {
    const { slug, email } = await signUp(page, { name: "Alma Admin", org: `Alerts ${uniqueId()}` });
    await page.goto(`/orgs/${slug}/webhooks/new`);
    await page.getByLabel("Webhook Name").fill("Ops alerts");
    await page.getByRole("textbox", { name: "URL", exact: true }).fill(`${receiver.url}/hook`);
    await page.getByLabel("Online", { exact: true }).check();
    await page.getByRole("button", { name: "Save" }).click();
    await page.waitForURL(new RegExp(`/orgs/${slug}/webhooks/\\d+$`));

    receiver.respondWith(behaviours.error());
    const created = await page.request.post(`/api/orgs/${slug}/devices`, { data: { udid: "e2e-alert-phone", name: "Alert phone" } });
    const { token } = (await created.json()) as { token: string };
    await page.request.post("/api/v1/devices/e2e-alert-phone/status", { headers: { authorization: `Bearer ${token}` }, data: { status: "online" } });

    // the embedded loop finds the new failure streak and queues the alert (rendered in the server process)
    await expect(async () => {
      await page.goto(`/orgs/${slug}/emails`);
      await expect(page.getByRole("link", { name: 'Webhook "Ops alerts" started failing' })).toBeVisible({ timeout: 1_000 });
    }).toPass({ timeout: 30_000 });
    await expect(page.getByRole("row", { name: /started failing/ })).toContainText(email);
    await page.getByRole("link", { name: 'Webhook "Ops alerts" started failing' }).click();
    await expect(page.getByTestId("email-text")).toContainText("receiver answered HTTP 500");
  } finally {
    await receiver.close();
  }
});
