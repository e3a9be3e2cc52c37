import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Browser, type BrowserContextOptions, type Page } from "@playwright/test";
import { demoDetailPaths, firstHref, signIn, uniqueId } from "./helpers";

// An automated accessibility scan (axe-core) of every page, at desktop and phone widths: zero serious or critical
// violations. The demo organization (seeded at boot, SEED_DEMO=1) gives populated lists; the setup adds an
// invitation (for its email and the accept page). One browser context per width, signed in once.

const WIDTHS = [
  { name: "desktop", width: 1360, height: 900 },
  { name: "phone", width: 390, height: 844 },
] as const;

type Target = { name: string; path: string };

let signedIn: BrowserContextOptions["storageState"];
let authPages: Target[] = [];
let portalPages: Target[] = [];

async function setUp(browser: Browser) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, "admin@example.com", "signalpost");
  const slug = new URL(page.url()).pathname.split("/")[2];
  const org = `/orgs/${slug}`;

  // an invitation: its email (Emails → detail) and the accept page
  const invitee = `a11y-${uniqueId()}@example.com`;
  await page.goto(`${org}/members`);
  await page.getByRole("button", { name: "Invite by email" }).click();
  const dialog = page.getByRole("dialog", { name: "Invite by email" });
  await dialog.getByLabel("Email").fill(invitee);
  await dialog.getByRole("button", { name: "Send invitation" }).click();
  await expect(dialog).toBeHidden();
  await page.goto(`${org}/emails`);
  const emailPath = await firstHref(page, new RegExp(`^${org}/emails/\\d+`));
  await page.goto(emailPath);
  const text = (await page.getByTestId("email-text").textContent()) ?? "";
  const invite = /\/invite\/(inv_[A-Za-z0-9_-]+)/.exec(text);
  expect(invite, "an invitation link in the email").toBeTruthy();

  // the demo org's first device, webhook, delivery and event (the demo devices' device.created events are
  // delivered into the demo inbox within a few seconds of the start)
  const { devicePath, webhookPath, deliveryPath, eventPath } = await demoDetailPaths(page, org);

  authPages = [
    { name: "sign-in", path: "/sign-in" },
    { name: "sign-up", path: "/sign-up" },
    { name: "forgot-password", path: "/forgot-password" },
    { name: "reset-password (expired link)", path: "/reset-password/rst_not-a-real-token" },
    { name: "invitation accept", path: `/invite/${invite![1]}` },
  ];
  portalPages = [
    { name: "fleet overview", path: org },
    { name: "devices", path: `${org}/devices` },
    { name: "device", path: devicePath },
    { name: "device edit", path: `${devicePath}/edit` },
    { name: "new device", path: `${org}/devices/new` },
    { name: "rollout", path: `${org}/devices/rollout` },
    { name: "webhooks", path: `${org}/webhooks` },
    { name: "webhook", path: webhookPath },
    { name: "webhook deliveries", path: `${webhookPath}/deliveries` },
    { name: "webhook edit", path: `${webhookPath}/edit` },
    { name: "create webhook", path: `${org}/webhooks/new` },
    { name: "deliveries", path: `${org}/deliveries` },
    { name: "delivery", path: deliveryPath },
    { name: "events", path: `${org}/events` },
    { name: "event", path: eventPath },
    { name: "inbox", path: `${org}/inbox` },
    { name: "members", path: `${org}/members` },
    { name: "settings", path: `${org}/settings` },
    { name: "api keys", path: `${org}/settings/api-keys` },
    { name: "api reference", path: `${org}/api-reference` },
    { name: "emails", path: `${org}/emails` },
    { name: "email", path: emailPath },
    { name: "audit log", path: `${org}/audit` },
    { name: "account", path: "/account" },
    { name: "new organization", path: "/orgs/new" },
  ];
  signedIn = await context.storageState();
  await context.close();
}

/** The serious and critical violations on the current page, one line per rule with its targets. */
async function scan(page: Page): Promise<string[]> {
  // legacy mode: axe.run in the page itself (the default opens a blank tab per scan to combine frame results)
  const { violations } = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"])
    .setLegacyMode(true)
    .analyze();
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

async function visit(page: Page, target: Target, found: string[]) {
  const res = await page.goto(target.path);
  expect(res?.status(), `${target.name} (${target.path}) opens`).toBeLessThan(400);
  // live lists poll, so the network never goes idle: wait for hydration instead
  await page.waitForLoadState("load");
  await page.waitForTimeout(250);
  for (const line of await scan(page)) found.push(`${target.name} ${target.path}: ${line}`);
}

test.describe.configure({ mode: "serial" });

test.beforeAll(async ({ browser }) => {
  test.setTimeout(120_000);
  await setUp(browser);
});

for (const size of WIDTHS) {
  test(`axe: no serious or critical violations on any page at ${size.name} width (${size.width}px)`, async ({ browser }) => {
    test.setTimeout(240_000);
    const found: string[] = [];
    // the auth pages signed out, then the portal signed in, in one context
    const context = await browser.newContext({ viewport: { width: size.width, height: size.height } });
    const page = await context.newPage();
    for (const target of authPages) await visit(page, target, found);
    if (typeof signedIn === "object" && signedIn) await context.addCookies(signedIn.cookies);
    for (const target of portalPages) await visit(page, target, found);
    await context.close();
    expect(found, `axe violations at ${size.width}px:\n${found.join("\n")}`).toEqual([]);
  });
}
