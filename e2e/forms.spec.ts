import { expect, test } from "@playwright/test";
import { signUp } from "./helpers";

// Issue #23, forms: a full org's Create Webhook is blocked up front; password fields have a show/hide toggle.

test("#23 the password field's show/hide toggle (sign-up, sign-in)", async ({ page }) => {
  await page.goto("/sign-up");
  const password = page.getByLabel("Password");
  const toggle = page.getByRole("button", { name: "Show password" });
  await password.fill("correct horse battery");
  await expect(password).toHaveAttribute("type", "password");
  await expect(toggle).toHaveAttribute("aria-pressed", "false");
  await toggle.click();
  await expect(password).toHaveAttribute("type", "text");
  await expect(toggle).toHaveAttribute("aria-pressed", "true");
  await expect(password).toHaveValue("correct horse battery");
  // by keyboard: Space on the focused toggle hides it again
  await toggle.focus();
  await page.keyboard.press("Space");
  await expect(password).toHaveAttribute("type", "password");
  await expect(toggle).toHaveAttribute("aria-pressed", "false");
  await expect(password).toHaveValue("correct horse battery");

  // the toggle is not a submit button: Enter in the password field still submits the form (here: refused)
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill("nobody@example.com");
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Show password" }).click();
  await expect(page.getByLabel("Password")).toHaveAttribute("type", "text");
  await page.getByLabel("Password").press("Enter");
  await expect(page.getByText("The email or password is incorrect.")).toBeVisible();
});

test("#23 a full org's Create Webhook says so up front instead of showing the form", async ({ page, context, request }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  const { slug } = await signUp(page, { name: "Limit Tester" });
  await page.goto(`/orgs/${slug}/settings/api-keys`);
  await page.getByLabel("Name").fill("limit filler");
  await page.getByLabel("Scope").selectOption("write");
  await page.getByRole("button", { name: "Create API key" }).click();
  const reveal = page.getByTestId("api-key-reveal");
  await reveal.getByRole("button", { name: "Copy key" }).click();
  const key = await page.evaluate(() => navigator.clipboard.readText());
  const create = async (i: number) => {
    const res = await request.post("/api/v1/webhooks", {
      headers: { authorization: `Bearer ${key}` },
      data: { name: `Hook ${i}`, url: `https://example.com/hooks/${i}`, events: ["device.status.offline"], skipEndpointCheck: true },
    });
    expect(res.status(), await res.text()).toBe(201);
  };
  // the e2e server keeps the default limit (WEBHOOK_LIMIT_PER_ORG=10)
  for (let i = 1; i <= 9; i++) await create(i);

  // one slot left: the form
  await page.goto(`/orgs/${slug}/webhooks/new`);
  await expect(page.getByLabel("Webhook Name")).toBeVisible();
  await expect(page.getByTestId("webhook-limit-reached")).toHaveCount(0);

  // full: the limit, what to do, a way back, and no form to fill in
  await create(10);
  await page.goto(`/orgs/${slug}/webhooks/new`);
  await expect(page.getByText("This organization has 10 of 10 webhooks, the most allowed")).toBeVisible();
  await expect(page.getByTestId("webhook-limit-reached")).toContainText("Delete a webhook you no longer need");
  await expect(page.getByLabel("Webhook Name")).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Save" })).toHaveCount(0);
  await page.getByRole("link", { name: "Go to webhooks" }).click();
  await expect(page).toHaveURL(new RegExp(`/orgs/${slug}/webhooks$`));
});
