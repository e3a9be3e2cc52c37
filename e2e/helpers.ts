import { expect, type Page } from "@playwright/test";

let counter = 0;

/** A unique suffix per call (across runs and workers). */
export function uniqueId(): string {
  counter++;
  return `${Date.now().toString(36)}${counter}${Math.random().toString(36).slice(2, 6)}`;
}

export type SignedUp = { email: string; password: string; slug: string; name: string; org: string };

/**
 * Signs up through the real /sign-up form (unique email by default) and waits until the new org's devices page
 * is open. Returns the credentials and the org's slug.
 */
export async function signUp(
  page: Page,
  options: { name?: string; email?: string; password?: string; org?: string } = {},
): Promise<SignedUp> {
  const id = uniqueId();
  const name = options.name ?? "Test User";
  const email = options.email ?? `user-${id}@example.com`;
  const password = options.password ?? "correct horse battery";
  const org = options.org ?? `Org ${id}`;
  await page.goto("/sign-up");
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByLabel("Organization name").fill(org);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.waitForURL(/\/orgs\/[^/]+\/devices/);
  const slug = new URL(page.url()).pathname.split("/")[2];
  return { email, password, slug, name, org };
}

/** Signs in through the real /sign-in form and waits to land inside an org. */
export async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(/\/orgs\//);
}

/** Signs out through the user menu in the portal shell and waits for the sign-in page. */
export async function signOut(page: Page): Promise<void> {
  await page.getByRole("button", { name: /^Account:/ }).click();
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await page.waitForURL(/\/sign-in/);
  await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
}

/** The path of the first link on the page whose href matches `pattern`. */
export async function firstHref(page: Page, pattern: RegExp): Promise<string> {
  const hrefs = await page.locator("a[href]").evaluateAll((as) => as.map((a) => a.getAttribute("href") ?? ""));
  const href = hrefs.find((h) => pattern.test(h));
  expect(href, `a link matching ${pattern} on ${page.url()}`).toBeTruthy();
  return new URL(href!, page.url()).pathname;
}

/**
 * The demo org's first device, webhook, delivery and event pages (the demo devices' device.created events are
 * delivered into the demo inbox within a few seconds of the start, so the deliveries list is retried).
 */
export async function demoDetailPaths(page: Page, org: string) {
  await page.goto(`${org}/devices`);
  const devicePath = await firstHref(page, new RegExp(`^${org}/devices/\\d+$`));
  await page.goto(`${org}/webhooks`);
  const webhookPath = await firstHref(page, new RegExp(`^${org}/webhooks/\\d+$`));
  let deliveryPath = "";
  await expect(async () => {
    await page.goto(`${org}/deliveries`);
    deliveryPath = await firstHref(page, new RegExp(`^${org}/deliveries/\\d+$`));
  }).toPass({ timeout: 30_000 });
  await page.goto(`${org}/events`);
  const eventPath = await firstHref(page, new RegExp(`^${org}/events/[^/?]+$`));
  return { devicePath, webhookPath, deliveryPath, eventPath };
}
