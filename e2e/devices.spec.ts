import { expect, test } from "@playwright/test";
import { signIn, signUp } from "./helpers";

test("add a device, report its status with the copied token, watch it go online live, delete it", async ({ page, context, request }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  const { slug } = await signUp(page, { name: "Device Tester" });

  // Empty list tells the user what to do
  await page.goto(`/orgs/${slug}/devices`);
  await expect(page.getByRole("heading", { name: "No devices yet" })).toBeVisible();
  await page.screenshot({ path: "e2e/screenshots/devices-empty.png", fullPage: true });

  // Add device: a bad UDID is refused under the field and what was typed is kept
  await page.getByRole("link", { name: "Add device" }).first().click();
  await expect(page.getByRole("heading", { name: "Add device" })).toBeVisible();
  await page.getByLabel("UDID").fill("e2e phone 01");
  await page.getByLabel("Name").fill("E2E Phone");
  await page.getByLabel("Tags").fill("lab-1, android");
  await page.getByLabel("Offline after (seconds)").fill("10");
  await page.getByRole("button", { name: "Add device" }).click();
  await expect(page.getByText("UDID may only contain letters, digits and . _ : -")).toBeVisible();
  await expect(page.getByText("Offline after must be at least 30 seconds")).toBeVisible();
  await expect(page.getByLabel("Name")).toHaveValue("E2E Phone");
  await expect(page.getByLabel("UDID")).toHaveAttribute("aria-invalid", "true");
  await page.screenshot({ path: "e2e/screenshots/devices-add-form.png", fullPage: true });

  await page.getByLabel("UDID").fill("e2e-phone-01");
  await page.getByLabel("Offline after (seconds)").fill("120");
  await page.getByRole("button", { name: "Add device" }).click();

  // The token is shown once, with curl examples using this page's origin
  const dialog = page.getByRole("dialog", { name: "Device E2E Phone added" });
  await expect(dialog).toBeVisible();
  const origin = new URL(page.url()).origin;
  await expect(dialog.getByText(`${origin}/api/v1/devices/e2e-phone-01/status`)).toBeVisible();
  await dialog.getByRole("button", { name: "Copy token" }).click();
  await expect(dialog.getByRole("button", { name: "Copied" })).toBeVisible();
  const token = await page.evaluate(() => navigator.clipboard.readText());
  expect(token).toMatch(/^spd_[0-9A-Za-z]{32,}$/);
  await expect(dialog.getByLabel("Device token")).toHaveValue(token);
  await page.screenshot({ path: "e2e/screenshots/devices-token-dialog.png" });
  await dialog.getByRole("button", { name: "Done, go to device" }).click();
  await page.waitForURL(new RegExp(`/orgs/${slug}/devices/\\d+$`));
  const devicePath = new URL(page.url()).pathname;

  // The list shows it "Never connected"; the device reports in and the badge turns Online without a reload
  await page.goto(`/orgs/${slug}/devices`);
  const row = page.getByTestId("device-row").filter({ hasText: "E2E Phone" });
  await expect(row.getByTestId("device-status")).toHaveAttribute("data-status", "never_connected");
  const wrong = await request.post("/api/v1/devices/e2e-phone-01/status", {
    headers: { authorization: "Bearer spd_00000000000000000000000000000000" },
    data: { status: "online" },
  });
  expect(wrong.status()).toBe(401);
  const res = await request.post("/api/v1/devices/e2e-phone-01/status", {
    headers: { authorization: `Bearer ${token}` },
    data: { status: "online", firmwareVersion: "1.4.2", signals: { battery: 91, temperature: 23.5 } },
  });
  expect(res.status()).toBe(200);
  const body = await res.json();
  expect(body).toMatchObject({ udid: "e2e-phone-01", status: "online", changed: true });
  await expect(row.getByTestId("device-status")).toHaveAttribute("data-status", "online");
  await expect(row.getByText("Online")).toBeVisible();
  await expect(row.getByText("1.4.2")).toBeVisible();
  await expect(page.getByTestId("count-online")).toHaveText("1");
  await expect(page.getByTestId("count-offline")).toHaveText("0");
  await page.screenshot({ path: "e2e/screenshots/devices-list.png", fullPage: true });

  // Device page: status, firmware, events and signals
  await request.post("/api/v1/devices/e2e-phone-01/status", {
    headers: { authorization: `Bearer ${token}` },
    data: { status: "utilizing", firmwareVersion: "1.5.0" },
  });
  await row.getByRole("link", { name: "E2E Phone" }).click();
  await page.waitForURL(new RegExp(`${devicePath}$`));
  await expect(page.getByTestId("device-status").first()).toHaveAttribute("data-status", "utilizing");
  await expect(page.getByRole("table", { name: "Recent events" }).getByText("Firmware updated")).toBeVisible();
  await expect(page.getByRole("table", { name: "Recent signals" }).getByText("battery")).toBeVisible();
  await page.screenshot({ path: "e2e/screenshots/devices-detail.png", fullPage: true });

  // Delete through the modal
  await page.getByRole("button", { name: "Delete" }).click();
  const confirm = page.getByRole("dialog", { name: "Delete E2E Phone?" });
  await expect(confirm).toBeVisible();
  await confirm.getByRole("button", { name: "Delete" }).click();
  await page.waitForURL(new RegExp(`/orgs/${slug}/devices$`));
  await expect(page.getByRole("heading", { name: "No devices yet" })).toBeVisible();
  const gone = await request.post("/api/v1/devices/e2e-phone-01/status", { headers: { authorization: `Bearer ${token}` }, data: {} });
  expect(gone.status()).toBe(401);
});

test.describe("at phone width (390 px)", () => {
  test.use({ viewport: { width: 390, height: 844 } });

  test("#22.5 the device list shows cards, not a table cut at the status", async ({ page }) => {
    // the demo organization (seeded at boot) has devices with long UDIDs and recent events
    await signIn(page, "admin@example.com", "signalpost");
    const slug = new URL(page.url()).pathname.split("/")[2];
    await page.goto(`/orgs/${slug}/devices`);
    const cards = page.getByTestId("device-card");
    await expect(cards.first()).toBeVisible();
    await expect(page.getByRole("table", { name: "Devices" })).toBeHidden();
    const pageWidth = () => page.evaluate(() => document.documentElement.scrollWidth);
    expect(await pageWidth()).toBeLessThanOrEqual(390);
    for (const card of await cards.all()) {
      const status = card.getByTestId("device-status");
      await expect(status).toBeVisible();
      const b = (await status.boundingBox())!;
      expect(b.x).toBeGreaterThanOrEqual(0);
      expect(b.x + b.width).toBeLessThanOrEqual(390);
    }
    await page.screenshot({ path: "docs/screenshots/devices-390.png", fullPage: true });
  });

  test("#22.5 the device page's Recent events card is not clipped", async ({ page, request }) => {
    // a device with events whose types and details are long (firmware updates, a failed authentication)
    const { slug } = await signUp(page, { name: "Phone Tester" });
    await page.goto(`/orgs/${slug}/devices/new`);
    await page.getByLabel("UDID").fill("00008101-000A1B2C3D4E5F6A");
    await page.getByLabel("Name").fill("Narrow Phone");
    await page.getByRole("button", { name: "Add device" }).click();
    const dialog = page.getByRole("dialog", { name: "Device Narrow Phone added" });
    const token = await dialog.getByLabel("Device token").inputValue();
    await dialog.getByRole("button", { name: "Done, go to device" }).click();
    await page.waitForURL(/\/devices\/\d+$/);
    const report = (data: object, auth = `Bearer ${token}`) =>
      request.post("/api/v1/devices/00008101-000A1B2C3D4E5F6A/status", { headers: { authorization: auth }, data });
    expect((await report({ status: "online", firmwareVersion: "17.4.1-beta.2" })).status()).toBe(200);
    expect((await report({ status: "utilizing", firmwareVersion: "17.5.0-release-candidate" })).status()).toBe(200);
    expect((await report({ status: "online" }, "Bearer spd_00000000000000000000000000000000")).status()).toBe(401);
    const recent = page.locator("section").filter({ has: page.getByRole("heading", { name: "Recent events" }) });
    await expect(recent.getByRole("table", { name: "Recent events" }).getByText("Firmware updated").first()).toBeVisible();
    const r = (await recent.boundingBox())!;
    expect(r.x).toBeGreaterThanOrEqual(0);
    expect(r.x + r.width).toBeLessThanOrEqual(390);
    // nothing inside the card is cut off: its table fits without scrolling sideways
    const table = recent.getByRole("table", { name: "Recent events" });
    expect(await table.evaluate((t) => t.parentElement!.scrollWidth <= t.parentElement!.clientWidth)).toBe(true);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: "docs/screenshots/device-detail-390.png", fullPage: true });
  });
});
