import { expect, test, type Page } from "@playwright/test";
import { signUp } from "./helpers";

// Screenshots of every screen, at desktop and phone widths, taken on a production build with real data
// (devices reporting through the status API, a webhook delivering to an inbox). They land in docs/screenshots/
// as <screen>-desktop.png / <screen>-phone.png (README.md shows some), so the pictures stay current with the code.
// The fleet overview is taken by e2e/fleet.spec.ts (it needs a fleet with signals). At phone width each screen is
// also checked for sideways scrolling (nothing wider than the screen but what scrolls inside its own box).

const WIDTHS = [
  { name: "desktop", width: 1360, height: 900 },
  { name: "phone", width: 390, height: 844 },
] as const;

async function shoot(page: Page, name: string) {
  for (const size of WIDTHS) {
    await page.setViewportSize({ width: size.width, height: size.height });
    // let live lists settle after the resize
    await page.waitForTimeout(300);
    if (size.name === "phone") {
      const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
      expect.soft(scrollWidth, `${name} scrolls sideways at ${size.width}px`).toBeLessThanOrEqual(size.width);
    }
    await page.screenshot({ path: `docs/screenshots/${name}-${size.name}.png`, fullPage: size.name === "desktop" });
  }
  await page.setViewportSize({ width: WIDTHS[0].width, height: WIDTHS[0].height });
}

/** The path of the first link on the page whose href matches `pattern`. */
async function firstHref(page: Page, pattern: RegExp): Promise<string> {
  const hrefs = await page.locator("a[href]").evaluateAll((as) => as.map((a) => a.getAttribute("href") ?? ""));
  const href = hrefs.find((h) => pattern.test(h));
  expect(href, `a link matching ${pattern} on ${page.url()}`).toBeTruthy();
  return new URL(href!, page.url()).pathname;
}

test("screenshots of every screen", async ({ page, baseURL, browser }) => {
  test.setTimeout(480_000);
  for (const [name, path] of [
    ["sign-in", "/sign-in"],
    ["sign-up", "/sign-up"],
    ["forgot-password", "/forgot-password"],
    ["reset-password-expired", "/reset-password/rst_expired-link"],
  ]) {
    await page.goto(path);
    await shoot(page, name);
  }
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

  // the rest of the device and webhook screens
  await page.goto(`/orgs/${slug}/devices`);
  const someDevice = await firstHref(page, new RegExp(`^/orgs/${slug}/devices/\\d+$`));
  for (const [name, path] of [
    ["device-new", `/orgs/${slug}/devices/new`],
    ["device-edit", `${someDevice}/edit`],
    ["rollout", `/orgs/${slug}/devices/rollout`],
    ["webhook-edit", `${webhookPath}/edit`],
    ["webhook-deliveries", `${webhookPath}/deliveries`],
    ["events", `/orgs/${slug}/events`],
  ]) {
    await page.goto(path);
    await shoot(page, name);
  }
  await page.goto(await firstHref(page, new RegExp(`^/orgs/${slug}/events/[^/?]+$`)));
  await shoot(page, "event");

  // an invitation: the Emails view, the email, and the accept page the invitee sees
  await page.goto(`/orgs/${slug}/members`);
  await page.getByRole("button", { name: "Invite by email" }).click();
  const invite = page.getByRole("dialog", { name: "Invite by email" });
  await invite.getByLabel("Email").fill("grace@example.com");
  await invite.getByRole("button", { name: "Send invitation" }).click();
  await expect(invite).toBeHidden();
  await shoot(page, "members");
  await page.goto(`/orgs/${slug}/emails`);
  await shoot(page, "emails");
  await page.goto(await firstHref(page, new RegExp(`^/orgs/${slug}/emails/\\d+$`)));
  await expect(page.getByTestId("email-text")).toBeVisible();
  await shoot(page, "email");
  const token = /\/invite\/(inv_[A-Za-z0-9_-]+)/.exec((await page.getByTestId("email-text").textContent()) ?? "");
  expect(token, "an invitation link in the email").toBeTruthy();
  const invitee = await browser.newContext({ viewport: { width: WIDTHS[0].width, height: WIDTHS[0].height } });
  const inviteePage = await invitee.newPage();
  await inviteePage.goto(`/invite/${token![1]}`);
  await shoot(inviteePage, "invitation");
  await invitee.close();

  for (const [name, path] of [
    ["audit", `/orgs/${slug}/audit`],
    ["settings", `/orgs/${slug}/settings`],
    ["api-keys", `/orgs/${slug}/settings/api-keys`],
    ["api-reference", `/orgs/${slug}/api-reference`],
    ["account", "/account"],
    ["org-new", "/orgs/new"],
  ]) {
    await page.goto(path);
    await shoot(page, name);
  }
});
