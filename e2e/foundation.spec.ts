import { expect, test } from "@playwright/test";
import { signIn, signOut, signUp, uniqueId } from "./helpers";

const shot = (name: string) => ({ path: `e2e/screenshots/${name}.png`, fullPage: true });

test("sign up lands in the new org; sign out returns to sign-in and closes the portal", async ({ page }) => {
  await page.goto("/sign-up");
  // Validation errors appear under the fields and name them
  await page.getByLabel("Name", { exact: true }).fill("Grace Hopper");
  await page.getByLabel("Email").fill("not-an-email");
  await page.getByLabel("Password").fill("short");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByText("Password must be at least 8 characters")).toBeVisible();
  await expect(page.getByLabel("Password")).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByLabel("Name", { exact: true })).toHaveValue("Grace Hopper");
  await page.screenshot(shot("sign-up"));

  const id = uniqueId();
  const user = await signUp(page, { name: "Grace Hopper", org: `Compilers ${id}` });
  expect(page.url()).toContain(`/orgs/${user.slug}/devices`);
  await expect(page.getByTestId("current-org")).toHaveText(`Compilers ${id}`);
  await expect(page.getByRole("link", { name: "Devices" })).toHaveAttribute("aria-current", "page");

  // The root goes to the org's fleet overview while signed in
  await page.goto("/");
  await page.waitForURL(`**/orgs/${user.slug}`);

  await signOut(page);
  await page.goto(`/orgs/${user.slug}/members`);
  await page.waitForURL(/\/sign-in/);

  // Signing in again works
  await signIn(page, user.email, user.password);
  // signing in lands on the org's fleet overview
  expect(new URL(page.url()).pathname).toBe(`/orgs/${user.slug}`);
  await expect(page.getByRole("heading", { name: "Overview", exact: true })).toBeVisible();
});

test("pages and API answers carry the security headers (no framing, nosniff, referrer policy)", async ({ request }) => {
  for (const path of ["/sign-in", "/api/health"]) {
    const res = await request.get(path);
    const h = res.headers();
    expect(h["content-security-policy"], path).toContain("frame-ancestors 'none'");
    expect(h["x-frame-options"], path).toBe("DENY");
    expect(h["x-content-type-options"], path).toBe("nosniff");
    expect(h["referrer-policy"], path).toBe("strict-origin-when-cross-origin");
    expect(h["strict-transport-security"], path).toBeUndefined(); // plain http here
  }
  const overHttps = await request.get("/sign-in", { headers: { "x-forwarded-proto": "https" } });
  expect(overHttps.headers()["strict-transport-security"]).toBe("max-age=31536000");
});

test("a wrong password shows an error and does not sign in", async ({ page, browser }) => {
  const user = await signUp(page);
  await signOut(page);

  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByText("The email or password is incorrect.")).toBeVisible();
  await expect(page.getByLabel("Email")).toHaveValue(user.email);
  expect(page.url()).toContain("/sign-in");
  await page.screenshot(shot("sign-in"));

  // Repeated failures are limited with a clear message (a fresh browser, same email)
  const other = await browser.newPage();
  await other.goto("/sign-in");
  const attempt = async (password: string) => {
    const button = other.getByRole("button", { name: "Sign in" });
    await expect(button).toBeEnabled();
    await other.getByLabel("Email").fill(user.email);
    await other.getByLabel("Password").fill(password);
    // wait for the server action's answer, then for React to finish rendering it
    await Promise.all([other.waitForResponse((r) => r.request().method() === "POST"), button.click()]);
    await expect(button).not.toHaveAttribute("aria-busy", "true");
    await expect(other.getByTestId("form-message")).toBeVisible();
  };
  for (let i = 0; i < 5; i++) await attempt(`wrong ${i}`);
  await attempt(user.password);
  await expect(other.getByText(/Too many failed sign-ins\. Try again in \d+ minutes\./)).toBeVisible();
  await other.close();
});

test("a user of org A opening org B's pages gets the not-found page", async ({ browser }) => {
  const pageB = await browser.newPage();
  const b = await signUp(pageB, { name: "Bea", org: `Bravo ${uniqueId()}` });
  await pageB.close();

  const context = await browser.newContext();
  const page = await context.newPage();
  const a = await signUp(page, { name: "Alan", org: `Alpha ${uniqueId()}` });
  for (const section of ["", "/devices", "/webhooks", "/members", "/settings", "/audit"]) {
    const res = await page.goto(`/orgs/${b.slug}${section}`);
    expect(res?.status(), section).toBe(404);
    await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
    await expect(page.getByText(`Bravo`)).toHaveCount(0);
  }
  // a made-up org looks exactly the same
  expect((await page.goto(`/orgs/no-such-org-${uniqueId()}/members`))?.status()).toBe(404);
  // their own org still works
  await page.goto(`/orgs/${a.slug}/members`);
  await expect(page.getByRole("heading", { name: "Members", level: 1 })).toBeVisible();
  await context.close();
});

test("an admin adds a member and changes their role; settings and audit log record it", async ({ browser }) => {
  // Carol has an account of her own
  const carolPage = await browser.newPage();
  const carol = await signUp(carolPage, { name: "Carol Chen", org: `Carol's ${uniqueId()}` });
  await carolPage.close();

  const context = await browser.newContext();
  const page = await context.newPage();
  const owner = await signUp(page, { name: "Olivia Owner", org: `Acme ${uniqueId()}` });
  await page.getByRole("link", { name: "Members" }).click();
  await expect(page.getByRole("heading", { name: "Members", level: 1 })).toBeVisible();

  // Unknown emails get a clear message under the field
  await page.getByLabel("Email").fill(`nobody-${uniqueId()}@example.com`);
  await page.getByRole("button", { name: "Add member" }).click();
  await expect(page.getByText(/No account uses this email/).first()).toBeVisible();

  await page.getByLabel("Email").fill(carol.email);
  await page.getByLabel("Role", { exact: true }).selectOption("member");
  await page.getByRole("button", { name: "Add member" }).click();
  await expect(page.getByText(`Added Carol Chen (${carol.email}) as Member.`)).toBeVisible();
  const row = page.getByTestId(`member-${carol.email}`);
  await expect(row.getByText("Member", { exact: true })).toBeVisible();

  await row.getByRole("button", { name: "Change role of Carol Chen" }).click();
  const dialog = page.getByRole("dialog", { name: "Change role of Carol Chen" });
  await dialog.getByLabel(/^Admin/).check();
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByText("Carol Chen is now Admin.")).toBeVisible();
  await expect(row.getByText("Admin", { exact: true })).toBeVisible();

  // The last owner cannot be removed
  const me = page.getByTestId(`member-${owner.email}`);
  await me.getByRole("button", { name: "Remove Olivia Owner" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Remove" }).click();
  await expect(page.getByText(/An organization needs at least one owner/)).toBeVisible();
  await page.screenshot(shot("members"));

  // Settings: rename keeps the slug
  await page.getByRole("link", { name: "Settings" }).click();
  await page.getByLabel("Organization name").fill("Acme Robotics");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText("Renamed to “Acme Robotics”.")).toBeVisible();
  await expect(page.getByTestId("current-org")).toHaveText("Acme Robotics");
  expect(page.url()).toContain(`/orgs/${owner.slug}/settings`);
  await page.screenshot(shot("settings"));

  // Audit log: newest first
  await page.getByRole("link", { name: "Audit log" }).click();
  const rows = page.locator("tbody tr");
  await expect(rows.nth(0)).toContainText("Renamed the organization");
  await expect(rows.nth(1)).toContainText("Changed the role of Carol Chen");
  await expect(rows.nth(2)).toContainText("Added Carol Chen");
  await expect(rows.nth(3)).toContainText("created the organization");
  await page.screenshot(shot("audit"));

  // Carol, now an admin, sees both orgs in her switcher
  const carolAgain = await (await browser.newContext()).newPage();
  await signIn(carolAgain, carol.email, carol.password);
  await carolAgain.getByRole("button", { name: /^Organization:/ }).click();
  await expect(carolAgain.getByRole("link", { name: "Acme Robotics" })).toBeVisible();
  await carolAgain.getByRole("link", { name: "Acme Robotics" }).click();
  await carolAgain.waitForURL(`**/orgs/${owner.slug}/devices`);
  await carolAgain.goto(`/orgs/${owner.slug}/members`);
  await expect(carolAgain.getByRole("button", { name: "Add member" })).toBeVisible();
  await context.close();
});

test("a member sees a read-only members list; the shell works on a phone in dark mode", async ({ browser }) => {
  const memberCtx = await browser.newContext({ viewport: { width: 390, height: 844 }, colorScheme: "dark" });
  const memberPage = await memberCtx.newPage();
  const member = await signUp(memberPage, { name: "Mo Member" });

  const ownerPage = await (await browser.newContext()).newPage();
  const owner = await signUp(ownerPage, { name: "Otto Owner" });
  await ownerPage.goto(`/orgs/${owner.slug}/members`);
  await ownerPage.getByLabel("Email").fill(member.email);
  await ownerPage.getByRole("button", { name: "Add member" }).click();
  await expect(ownerPage.getByTestId(`member-${member.email}`)).toBeVisible();

  await memberPage.goto(`/orgs/${owner.slug}/members`);
  await expect(memberPage.getByText("Only owners and admins can add members or change roles.")).toBeVisible();
  await expect(memberPage.getByRole("button", { name: "Add member" })).toHaveCount(0);
  await expect(memberPage.getByRole("button", { name: /^Change role/ })).toHaveCount(0);
  await memberPage.screenshot(shot("mobile-members-dark"));

  // Narrow screen: the sidebar is a drawer behind the menu button
  await expect(memberPage.getByRole("link", { name: "Audit log" })).toBeHidden();
  await memberPage.getByRole("button", { name: "Open menu" }).click();
  await memberPage.getByRole("link", { name: "Audit log" }).click();
  await memberPage.waitForURL(`**/orgs/${owner.slug}/audit`);
  await expect(memberPage.getByRole("link", { name: "Audit log" })).toBeHidden();
  await memberPage.screenshot(shot("mobile-audit"));
  await memberCtx.close();
});

test("Account: a password change keeps this session and ends the others; Sign out everywhere ends them all", async ({ browser }) => {
  const laptop = await browser.newContext();
  const page = await laptop.newPage();
  const user = await signUp(page);
  const phone = await browser.newContext();
  const other = await phone.newPage();
  await signIn(other, user.email, user.password);

  await page.getByRole("button", { name: /^Account:/ }).click();
  await page.getByRole("link", { name: "Account", exact: true }).click();
  await page.waitForURL(/\/account$/);
  await page.getByLabel("Current password").fill(user.password);
  await page.getByLabel("New password").fill("password");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByText(/one of the most common passwords/)).toBeVisible();
  await page.getByLabel("Current password").fill(user.password);
  await page.getByLabel("New password").fill("a fresh passphrase 42");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByText("Password changed. Your other sessions were signed out.")).toBeVisible();
  await page.screenshot(shot("account"));

  // the phone's session ended; the laptop's goes on
  await other.goto(`/orgs/${user.slug}/devices`);
  await other.waitForURL(/\/sign-in/);
  await page.goto(`/orgs/${user.slug}/devices`);
  await expect(page.getByTestId("current-org")).toBeVisible();

  // sign in on the phone again with the new password, then Sign out everywhere from the laptop
  await signIn(other, user.email, "a fresh passphrase 42");
  await page.getByRole("button", { name: /^Account:/ }).click();
  await page.getByRole("button", { name: "Sign out everywhere" }).click();
  await page.waitForURL(/\/sign-in/);
  await other.goto(`/orgs/${user.slug}/devices`);
  await other.waitForURL(/\/sign-in/);
  await laptop.close();
  await phone.close();
});
