import { expect, test } from "@playwright/test";
import { signUp } from "./helpers";

test("create an API key, copy it, use it (bulk create, events), read the reference, revoke it", async ({ page, context, request }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  const { slug } = await signUp(page, { name: "API Tester" });

  await page.goto(`/orgs/${slug}/settings`);
  await page.getByRole("link", { name: "API keys" }).click();
  await expect(page).toHaveURL(new RegExp(`/orgs/${slug}/settings/api-keys$`));
  await page.getByLabel("Name").fill("E2E line");
  await page.getByLabel("Scope").selectOption("write");
  await page.getByRole("button", { name: "Create API key" }).click();

  const reveal = page.getByTestId("api-key-reveal");
  await expect(reveal).toBeVisible();
  await reveal.getByRole("button", { name: "Copy key" }).click();
  const key = await page.evaluate(() => navigator.clipboard.readText());
  expect(key).toMatch(/^spk_[0-9A-Za-z]{32,}$/);
  await expect(reveal.getByText(`Authorization: Bearer ${key}`)).toBeVisible();
  await page.screenshot({ path: "e2e/screenshots/api-keys-created.png", fullPage: true });

  const auth = { authorization: `Bearer ${key}` };
  const bulk = await request.post("/api/v1/devices/bulk", { headers: auth, data: { devices: [{ udid: "e2e-api-1" }, { udid: "e2e-api-2", tags: ["line"] }] } });
  expect(bulk.status()).toBe(201);
  const events = await request.get("/api/v1/events?type=device.created", { headers: auth });
  expect(((await events.json()) as { data: unknown[] }).data).toHaveLength(2);

  // the Events page shows them, linked to the device
  await page.getByRole("link", { name: "Events" }).click();
  await expect(page.getByRole("table", { name: "Events" }).getByText("e2e-api-2", { exact: true })).toBeVisible();

  // the reference lists the operations with curl
  await page.getByRole("link", { name: "API reference" }).click();
  await expect(page.getByRole("heading", { name: "Create many devices" })).toBeVisible();
  await page.screenshot({ path: "e2e/screenshots/api-reference.png" });

  // the list shows the key (prefix only) with its last use; revoke it
  await page.goto(`/orgs/${slug}/settings/api-keys`);
  const row = page.getByRole("row", { name: /E2E line/ });
  await expect(row).toContainText(key.slice(0, 10));
  await expect(page.getByText(key)).toHaveCount(0);
  await row.getByRole("button", { name: "Revoke E2E line" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Revoke" }).click();
  await expect(row).toContainText("Revoked");
  const refused = await request.get("/api/v1/devices", { headers: auth });
  expect(refused.status()).toBe(401);
});
