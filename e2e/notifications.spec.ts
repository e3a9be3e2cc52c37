import { expect, test } from "@playwright/test";
import { signUp } from "./helpers";

// My notifications end to end, without SMTP_URL (emails are stored and read under Emails): choose an event, cause
// it, read the notification, then unsubscribe with the email's link (GET asks, the button unsubscribes).
test("My notifications → a notification email → one-click unsubscribe from its link", async ({ page, browser }) => {
  const { slug } = await signUp(page, { name: "Nora Notified" });
  await page.goto(`/orgs/${slug}/settings`);
  await page.getByRole("link", { name: "My notifications" }).click();
  await expect(page).toHaveURL(new RegExp(`/orgs/${slug}/settings/notifications$`));
  // owners get operational alerts by default
  await expect(page.getByRole("switch", { name: "Operational alerts" })).toBeChecked();

  // a digest needs a window; an unknown event type cannot be ticked, so try the tags scope without tags first
  await page.getByLabel("Device created").check();
  await page.getByText("Devices with tags").click();
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText("Enter at least one tag.")).toBeVisible();
  await page.getByText("All devices").click();
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText("Your notification settings are saved.")).toBeVisible();
  await page.reload();
  await expect(page.getByLabel("Device created")).toBeChecked();
  await page.getByText("A digest").click();
  await page.getByLabel("Digest every").selectOption("5");
  await page.screenshot({ path: "test-results/my-notifications.png", fullPage: true });
  await page.getByText("An email per event").click();

  // the event: a device is added
  await page.goto(`/orgs/${slug}/devices/new`);
  await page.getByLabel("UDID").fill("e2e-notify-0001");
  await page.getByLabel("Name").fill("Notified Phone");
  await page.getByRole("button", { name: "Add device" }).click();
  await page.getByRole("dialog", { name: "Device Notified Phone added" }).getByRole("button", { name: "Done, go to device" }).click();

  // the embedded tick turns it into an email within a second or two
  await expect(async () => {
    await page.goto(`/orgs/${slug}/emails`);
    await expect(page.getByRole("link", { name: "Notified Phone: Device created" })).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 20_000 });
  await page.getByRole("link", { name: "Notified Phone: Device created" }).click();
  const text = (await page.getByTestId("email-text").textContent()) ?? "";
  const link = /https?:\/\/\S+?(\/unsubscribe\/u1\.[A-Za-z0-9._-]+)/.exec(text);
  expect(link, "an unsubscribe link in the text part").toBeTruthy();
  await expect(page.getByText("List-Unsubscribe-Post")).toBeVisible();

  // the link opened without a session: a confirmation page; opening it changed nothing
  const anon = await (await browser.newContext()).newPage();
  await anon.goto(link![1]);
  await expect(anon.getByRole("heading", { name: "Unsubscribe from device notification emails?" })).toBeVisible();
  await page.goto(`/orgs/${slug}/settings/notifications`);
  await expect(page.getByLabel("Device created")).toBeChecked();
  await anon.getByRole("button", { name: "Unsubscribe" }).click();
  await expect(anon.getByRole("heading", { name: "You are unsubscribed" })).toBeVisible();
  await page.reload();
  await expect(page.getByLabel("Device created")).not.toBeChecked();
  // a forged link: a clear 400 page
  const forged = await anon.goto(link![1].slice(0, -2) + "xx");
  expect(forged?.status()).toBe(400);
  await expect(anon.getByRole("heading", { name: "This unsubscribe link is not valid" })).toBeVisible();
});
