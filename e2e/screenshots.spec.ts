import { expect, test, type Page } from "@playwright/test";
import { signUp } from "./helpers";

// Screenshots of the main screens, at desktop and phone widths, taken on a production build with real data
// (devices reporting through the status API, a webhook delivering to an inbox). They land in docs/screenshots/,
// which README.md shows, so the pictures stay current with the code.

const WIDTHS = [
  { name: "desktop", width: 1360, height: 900 },
  { name: "phone", width: 390, height: 844 },
] as const;

async function shoot(page: Page, name: string) {
  for (const size of WIDTHS) {
    await page.setViewportSize({ width: size.width, height: size.height });
    // let live lists settle after the resize
    await page.waitForTimeout(300);
    await page.screenshot({ path: `docs/screenshots/${name}-${size.name}.png`, fullPage: size.name === "desktop" });
  }
  await page.setViewportSize({ width: WIDTHS[0].width, height: WIDTHS[0].height });
}

test("screenshots of the main screens", async ({ page, baseURL }) => {
  test.setTimeout(240_000);
  await page.goto("/sign-in");
  await shoot(page, "sign-in");
  const { slug } = await signUp(page, { name: "Ada Admin", org: "Acme Devices" });
  const api = (path: string) => `/api/orgs/${slug}${path}`;
  const origin = { origin: baseURL! };

  // an inbox to receive the webhook's deliveries
  await page.goto(`/orgs/${slug}/inbox`);
  await page.getByRole("button", { name: "Create inbox" }).first().click();
  const dialog = page.getByRole("dialog", { name: "Create inbox" });
  await dialog.getByLabel("Name").fill("Staging receiver");
  await dialog.getByRole("button", { name: "Create inbox" }).click();
  await expect(dialog).toBeHidden();
  const inboxUrl = await page.getByLabel("Inbox URL").inputValue();

  // devices, reporting through the status API with their tokens
  const fleet = [
    { udid: "ce0917198075440c057e", name: "Galaxy Note 8", tags: "lab-1, android", status: "online" },
    { udid: "a1b2c3d4e5f60718", name: "Pixel 8 Pro", tags: "lab-1", status: "utilizing" },
    { udid: "f00dbabe00112233", name: "iPhone 15", tags: "lab-2, ios", status: "unplugged" },
    { udid: "0badc0de44556677", name: "Moto G Power", tags: "lab-2", status: "offline" },
    { udid: "deadbeef8899aabb", name: "Field sensor 12", tags: "field", status: "online" },
  ];
  const tokens = new Map<string, string>();
  for (const d of fleet) {
    const res = await page.request.post(api("/devices"), {
      headers: origin,
      data: { udid: d.udid, name: d.name, tags: d.tags, offlineAfterSeconds: 300 },
    });
    expect(res.status(), await res.text()).toBe(201);
    tokens.set(d.udid, ((await res.json()) as { token: string }).token);
  }
  const report = async (udid: string, body: Record<string, unknown>) => {
    const res = await page.request.post(`/api/v1/devices/${udid}/status`, {
      headers: { authorization: `Bearer ${tokens.get(udid)}`, "content-type": "application/json" },
      data: body,
    });
    expect(res.status(), await res.text()).toBe(200);
  };
  for (const d of fleet) await report(d.udid, { status: "online", firmwareVersion: "2.1.0", signals: { temperature: 21.5, battery: 87 } });

  // a webhook delivering device events to the inbox (the endpoint check is answered by the inbox)
  await page.goto(`/orgs/${slug}/webhooks/new`);
  await page.getByLabel("Webhook Name").fill("Operations alerts");
  await page.getByRole("textbox", { name: /^URL\b/ }).fill(inboxUrl);
  for (const name of ["Online", "Offline", "Utilizing", "Unplugged"]) await page.getByRole("switch", { name, exact: true }).check();
  await shoot(page, "webhook-form");
  await page.getByRole("button", { name: "Save" }).click();
  await page.waitForURL(/\/webhooks\/\d+$/);
  const webhookPath = new URL(page.url()).pathname;

  // status changes → deliveries
  for (const d of fleet) if (d.status !== "online") await report(d.udid, { status: d.status });
  await report(fleet[0].udid, { status: "utilizing" });
  await report(fleet[0].udid, { status: "online", signals: { temperature: 22.1, battery: 85 } });
  await expect(async () => {
    const res = await page.request.get(api("/deliveries"));
    const body = (await res.json()) as { items: { status: string }[] };
    expect(body.items.filter((i) => i.status === "succeeded").length).toBeGreaterThanOrEqual(4);
  }).toPass({ timeout: 30_000 });

  await page.goto(`/orgs/${slug}/devices`);
  // the list renders rows on wide screens and cards on phones: take the one that shows
  const note8 = page.getByRole("link", { name: "Galaxy Note 8" }).filter({ visible: true }).first();
  await expect(note8).toBeVisible();
  await shoot(page, "devices");

  await note8.click();
  await page.waitForURL(/\/devices\/\d+$/);
  await expect(page.getByText("Recent events").first()).toBeVisible();
  await shoot(page, "device");

  await page.goto(`/orgs/${slug}/webhooks`);
  await shoot(page, "webhooks");
  await page.goto(webhookPath);
  await shoot(page, "webhook");

  await page.goto(`/orgs/${slug}/deliveries`);
  await expect(page.getByText("Operations alerts").filter({ visible: true }).first()).toBeVisible();
  await shoot(page, "deliveries");
  const firstDelivery = page.locator(`a[href*="/orgs/${slug}/deliveries/"]`).first();
  await page.goto(new URL((await firstDelivery.getAttribute("href"))!, page.url()).pathname);
  await shoot(page, "delivery");

  await page.goto(`/orgs/${slug}/inbox`);
  await expect(page.getByText(/Verified/).first()).toBeVisible({ timeout: 15_000 });
  await shoot(page, "inbox");

  await page.goto(`/orgs/${slug}/members`);
  await shoot(page, "members");
  await page.goto(`/orgs/${slug}/audit`);
  await shoot(page, "audit");
});
