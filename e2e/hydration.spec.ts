import { expect, test, type Browser, type BrowserContextOptions, type Page } from "@playwright/test";
import { demoDetailPaths, signIn, signUp } from "./helpers";

// Hydration: every page of the portal renders the same on the server and in the browser's first render. A
// difference is React error #418 (minified in the production build; "Hydration failed…" in development) and React
// then throws the server HTML away and re-creates the page's tree, detaching whatever a user (or a test) was holding.
// The browser runs in another time zone and locale than the server (UTC, en), so a date or number formatted
// differently on the two sides shows up here too. The demo organization (seeded at boot, SEED_DEMO=1) gives
// populated pages; a fresh org holds a webhook from the Slack preset, whose body links to the device ({{deviceUrl}}).

const BROWSER: BrowserContextOptions = { timezoneId: "America/Los_Angeles", locale: "de-DE", viewport: { width: 1360, height: 900 } };

/** A console message or page error that reports a hydration problem (production: minified React errors). */
const HYDRATION = /hydrat|react\.dev\/errors\/(418|423|425)\b|error #(418|423|425)\b/i;

type Target = { name: string; path: string };

let demo: BrowserContextOptions["storageState"];
let demoPages: Target[] = [];
let own: BrowserContextOptions["storageState"];
let ownPages: Target[] = [];

async function setUp(browser: Browser) {
  // the demo org: its first device, webhook, delivery and event (the demo devices' device.created events are
  // delivered into the demo inbox within a few seconds of the start)
  let context = await browser.newContext();
  let page = await context.newPage();
  await signIn(page, "admin@example.com", "signalpost");
  const org = `/orgs/${new URL(page.url()).pathname.split("/")[2]}`;
  const { devicePath, webhookPath, deliveryPath, eventPath } = await demoDetailPaths(page, org);
  demoPages = [
    { name: "fleet overview", path: org },
    { name: "devices", path: `${org}/devices` },
    { name: "device", path: devicePath },
    { name: "device edit", path: `${devicePath}/edit` },
    { name: "new device", path: `${org}/devices/new` },
    { name: "webhooks", path: `${org}/webhooks` },
    { name: "webhook", path: webhookPath },
    { name: "webhook deliveries", path: `${webhookPath}/deliveries` },
    { name: "create webhook", path: `${org}/webhooks/new` },
    { name: "edit webhook", path: `${webhookPath}/edit` },
    { name: "deliveries", path: `${org}/deliveries` },
    { name: "delivery", path: deliveryPath },
    { name: "events", path: `${org}/events` },
    { name: "event", path: eventPath },
    { name: "inbox", path: `${org}/inbox` },
    { name: "members", path: `${org}/members` },
    { name: "settings", path: `${org}/settings` },
    { name: "api keys", path: `${org}/settings/api-keys` },
    { name: "audit log", path: `${org}/audit` },
  ];
  demo = await context.storageState();
  await context.close();

  // a fresh org with a webhook from the Slack preset (saved past the endpoint check: nothing listens there)
  context = await browser.newContext();
  page = await context.newPage();
  const { slug } = await signUp(page);
  await page.goto(`/orgs/${slug}/webhooks/new`);
  await page.getByLabel("Start from").selectOption({ label: "Slack" });
  await page.getByLabel("Webhook Name").fill("Team chat");
  await page.getByRole("textbox", { name: "URL", exact: true }).fill("http://127.0.0.1:9/slack");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await page.getByTestId("error-summary").getByRole("button", { name: "Save anyway" }).click();
  await page.waitForURL(new RegExp(`/orgs/${slug}/webhooks/\\d+$`));
  const slackPath = new URL(page.url()).pathname;
  ownPages = [
    { name: "create webhook (fresh org)", path: `/orgs/${slug}/webhooks/new` },
    { name: "edit webhook (Slack preset, {{deviceUrl}})", path: `${slackPath}/edit` },
  ];
  own = await context.storageState();
  await context.close();
}

/** A signed-in context in another time zone and locale than the server, recording hydration errors. */
async function open(browser: Browser, storageState: BrowserContextOptions["storageState"]) {
  const context = await browser.newContext({ ...BROWSER, storageState });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" && HYDRATION.test(m.text())) errors.push(m.text().split("\n")[0]);
  });
  page.on("pageerror", (e) => {
    if (HYDRATION.test(`${e.name}: ${e.message}`)) errors.push(e.message.split("\n")[0]);
  });
  return { context, page, errors };
}

/** Loads a page and returns the hydration errors it reported, once React has hydrated (or re-created) it. */
async function visit(page: Page, errors: string[], target: Target): Promise<string[]> {
  errors.length = 0;
  const res = await page.goto(target.path);
  expect(res?.status(), `${target.name} (${target.path}) opens`).toBeLessThan(400);
  // Next mounts its route announcer in an effect of the first commit, after React has reported any hydration
  // error of that commit (live lists poll, so the network never goes idle)
  await page.waitForFunction(() => document.querySelector("next-route-announcer") !== null);
  await page.waitForTimeout(300);
  return errors.map((e) => `${target.name} ${target.path}: ${e}`);
}

/** Visits the pages in one signed-in context; the hydration errors they reported, one line each. */
async function hydrationErrors(browser: Browser, storageState: BrowserContextOptions["storageState"], targets: Target[], after?: (page: Page) => Promise<void>) {
  const { context, page, errors } = await open(browser, storageState);
  const found: string[] = [];
  for (const target of targets) found.push(...(await visit(page, errors, target)));
  await after?.(page);
  await context.close();
  return found;
}

test.beforeAll(async ({ browser }) => {
  test.setTimeout(120_000);
  await setUp(browser);
});

test("Create Webhook and Edit Webhook hydrate without a mismatch (React #418)", async ({ browser }) => {
  const targets = demoPages.filter((t) => t.name === "create webhook" || t.name === "edit webhook");
  expect(targets).toHaveLength(2);
  const found = [
    ...(await hydrationErrors(browser, demo, targets)),
    // the Slack preset's preview links to the device as deliveries do (APP_URL), in the first render already
    ...(await hydrationErrors(browser, own, ownPages, (page) => expect(page.getByTestId("preview-body")).toContainText("/go/device/"))),
  ];
  expect(found, `hydration errors:\n${found.join("\n")}`).toEqual([]);
});

test("no hydration errors on the main pages of the portal", async ({ browser }) => {
  test.setTimeout(180_000);
  const found = await hydrationErrors(browser, demo, demoPages);
  expect(found, `hydration errors:\n${found.join("\n")}`).toEqual([]);
});
