import { expect, test } from "@playwright/test";
import { signUp } from "./helpers";

test("edit the desired configuration on the device page; the device gets it, acknowledges it, the page follows live and the events reach the inbox", async ({ page, request }) => {
  test.setTimeout(180_000);
  const { slug } = await signUp(page, { name: "Config Tester" });
  const created = await page.request.post(`/api/orgs/${slug}/devices`, {
    data: { udid: "e2e-cfg-01", name: "Config Phone", tags: ["lab-1"] },
  });
  expect(created.status()).toBe(201);
  const { device, token } = (await created.json()) as { device: { id: number }; token: string };
  const deviceApi = (body: unknown) =>
    request.post("/api/v1/devices/e2e-cfg-01/status", { headers: { authorization: `Bearer ${token}` }, data: body });
  expect((await deviceApi({ status: "online", firmwareVersion: "1.0.0" })).status()).toBe(200);

  // an inbox and a webhook to it, subscribed to every event: the config events must arrive there
  await page.goto(`/orgs/${slug}/inbox`);
  await page.getByRole("button", { name: "Create inbox" }).first().click();
  const dialog = page.getByRole("dialog", { name: "Create inbox" });
  await dialog.getByLabel("Name").fill("Config receiver");
  await dialog.getByRole("button", { name: "Create inbox" }).click();
  await expect(dialog).toBeHidden();
  const inboxUrl = await page.getByLabel("Inbox URL").inputValue();
  await page.goto(`/orgs/${slug}/webhooks/new`);
  await page.getByLabel("Webhook Name").fill("Config hook");
  await page.getByRole("textbox", { name: /^URL\b/ }).fill(inboxUrl);
  await page.getByRole("button", { name: "Select all" }).click();
  await page.getByRole("button", { name: "Save" }).click();
  await page.waitForURL(/\/webhooks\/\d+$/);

  await page.goto(`/orgs/${slug}/devices/${device.id}`);
  await expect(page.getByRole("heading", { name: /Desired configuration/ })).toBeVisible();
  await expect(page.getByText("Nothing written yet.")).toBeVisible();

  // key/value editor with JSON values: a bare word is not JSON and is refused before saving
  await page.getByRole("button", { name: "Add value" }).first().click();
  await page.getByLabel("Config name 1").fill("sampleRate");
  await page.getByLabel("Config value 1").fill("10");
  await page.getByRole("button", { name: "Add value" }).first().click();
  await page.getByLabel("Config name 2").fill("mode");
  await page.getByLabel("Config value 2").fill("eco");
  await expect(page.getByText('Value of "mode" is not JSON')).toBeVisible();
  await expect(page.getByRole("button", { name: "Save configuration" })).toBeDisabled();
  await page.getByLabel("Config value 2").fill('"eco"');
  await page.getByLabel("Target firmware").fill("2.0.0");
  // the diff against what the device reported: both names are new
  const diff = page.getByRole("table", { name: "Desired configuration compared with the device" });
  await expect(diff.getByRole("row", { name: /sampleRate/ })).toContainText("added");
  await page.getByRole("button", { name: "Save configuration" }).click();
  await expect(page.getByText("Saved as version 1.")).toBeVisible();
  await page.screenshot({ path: "e2e/screenshots/desired-config.png", fullPage: true });

  // the device's next report carries it; it acknowledges after "flashing"
  const behind = await (await deviceApi({})).json();
  expect(behind.desired).toEqual({ version: 1, config: { sampleRate: 10, mode: "eco" }, firmwareVersion: "2.0.0" });
  const acked = await deviceApi({ firmwareVersion: "2.0.0", reported: { version: 1, status: "applied" } });
  expect(acked.status()).toBe(200);
  expect((await acked.json()).desired).toBeUndefined();

  // the page follows without a reload: on target, the diff now shows the values as the device's own
  await expect(page.getByText("On target").first()).toBeVisible();
  await expect(page.getByText("device reported version 1 applied")).toBeVisible();
  await expect(diff.getByRole("row", { name: /sampleRate/ })).toContainText("same");
  await expect(page.getByRole("table", { name: "Recent events" })).toContainText("Configuration applied");
  await expect(page.getByRole("table", { name: "Recent events" })).toContainText("target reached");

  // the events arrived in the inbox, signed
  await page.goto(`/orgs/${slug}/inbox`);
  const items = page.getByTestId("inbox-request");
  for (const type of ["device.config.written", "device.firmware.update_requested", "device.config.applied", "device.firmware.updated"]) {
    await expect(items.filter({ hasText: `"eventActivity": "${type}"` }).first()).toBeVisible({ timeout: 30_000 });
  }
  await expect(items.filter({ hasText: '"eventActivity": "device.config.applied"' }).first().getByText("Verified — signed by webhook Config hook")).toBeVisible();

  // the rollout view counts it on target
  await page.goto(`/orgs/${slug}/devices/rollout`);
  await expect(page.getByTestId("rollout-on_target")).toContainText("1");
  await expect(page.getByRole("progressbar", { name: "Devices on target" })).toHaveAttribute("aria-valuenow", "1");
});
