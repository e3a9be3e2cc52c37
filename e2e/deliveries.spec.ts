import { expect, test } from "@playwright/test";
import { behaviours, startReceiver, type Receiver } from "../tests/support/receiver";
import { signUp } from "./helpers";

// A real receiver on 127.0.0.1 whose answers the test switches: healthy for the endpoint check, then failing, then
// recovered.
let receiver: Receiver;
test.beforeAll(async () => {
  receiver = await startReceiver(behaviours.ok());
});
test.afterAll(async () => {
  await receiver.close();
});

test("a failing delivery shows its error and next attempt; Redeliver after the receiver recovers turns it green", async ({ page }) => {
  test.setTimeout(180_000);
  const { slug } = await signUp(page);

  // a webhook for Online events pointing at the receiver (its endpoint check gets 200)
  await page.goto(`/orgs/${slug}/webhooks/new`);
  await page.getByLabel("Webhook Name").fill("Ops receiver");
  await page.getByRole("textbox", { name: "URL", exact: true }).fill(`${receiver.url}/signalpost`);
  await page.getByLabel("Online", { exact: true }).check();
  await page.getByRole("button", { name: "Save" }).click();
  await page.waitForURL(new RegExp(`/orgs/${slug}/webhooks/\\d+$`));
  const webhookPath = new URL(page.url()).pathname;

  // the receiver goes down; a device comes online
  receiver.respondWith({ status: 500, body: '{"error":"database unavailable"}', headers: { "content-type": "application/json" } });
  const created = await page.request.post(`/api/orgs/${slug}/devices`, { data: { udid: "e2e-lab-phone", name: "Lab phone" } });
  expect(created.status()).toBe(201);
  const { token } = (await created.json()) as { token: string };
  const reported = await page.request.post("/api/v1/devices/e2e-lab-phone/status", {
    headers: { authorization: `Bearer ${token}` },
    data: { status: "online" },
  });
  expect(reported.status()).toBe(200);

  // the delivery log shows it failing, with the error in plain words and the next attempt
  await page.goto(`/orgs/${slug}/deliveries`);
  await expect(page.getByRole("heading", { name: "Deliveries" })).toBeVisible();
  const row = page.getByTestId("delivery-row").first();
  await expect(row).toContainText("receiver answered HTTP 500 (Internal Server Error)");
  await expect(row).toContainText("Lab phone");
  await expect(row).toContainText(/Next attempt|Retrying now|Sending now|Failed/);
  await page.screenshot({ path: "e2e/screenshots/deliveries-log.png", fullPage: true });

  // its page: the error, the next attempt, and the attempt with request and response
  await row.getByRole("link").first().click();
  await page.waitForURL(new RegExp(`/orgs/${slug}/deliveries/\\d+$`));
  await expect(page.getByTestId("delivery-error")).toHaveText("receiver answered HTTP 500 (Internal Server Error)");
  // one breadcrumb pattern (Deliveries / Delivery n, the last item the current page) and the webhook's name links to it
  const crumbs = page.getByRole("navigation", { name: "Breadcrumb" });
  await expect(crumbs.getByRole("link", { name: "Deliveries" })).toBeVisible();
  await expect(crumbs.locator('[aria-current="page"]')).toHaveText(/^Delivery \d+$/);
  await expect(page.getByRole("heading", { level: 1 }).getByRole("link", { name: "Ops receiver" })).toHaveAttribute("href", webhookPath);
  // a timestamp shows the exact time (viewer's zone and UTC) on keyboard focus, not only on hover
  const stamp = page.locator("time").first().locator("..");
  await stamp.focus();
  await expect(page.getByRole("tooltip").filter({ hasText: "UTC" })).toBeVisible();
  const attempt = page.getByTestId("delivery-attempt").first();
  await expect(attempt).toContainText("POST");
  await expect(attempt).toContainText("webhook-signature");
  await expect(attempt).toContainText("database unavailable");
  await page.screenshot({ path: "e2e/screenshots/delivery-detail-failing.png", fullPage: true });

  // retries run out (WEBHOOK_RETRY_SCHEDULE is short in e2e): Failed
  await expect(page.getByText("Failed", { exact: true }).first()).toBeVisible({ timeout: 60_000 });
  const failedAttempts = await page.getByTestId("delivery-attempt").count();
  expect(failedAttempts).toBeGreaterThan(1);

  // the receiver recovers; Redeliver turns it green, with the same webhook-id
  receiver.respondWith(behaviours.ok('{"received":true}'));
  const before = receiver.requests.length;
  await page.getByRole("button", { name: "Redeliver" }).click();
  await expect(page.getByText("Succeeded", { exact: true }).first()).toBeVisible({ timeout: 15_000 });
  await expect(page.getByTestId("delivery-attempt")).toHaveCount(failedAttempts + 1);
  const ids = new Set(receiver.requests.slice(1).map((r) => r.headers["webhook-id"]));
  expect(ids.size).toBe(1);
  expect(receiver.requests.length).toBeGreaterThan(before);
  await page.screenshot({ path: "e2e/screenshots/delivery-detail-redelivered.png", fullPage: true });

  // the webhook's own log and health chart
  await page.goto(`${webhookPath}/deliveries`);
  await expect(page.getByTestId("delivery-row").first()).toHaveAttribute("data-status", "succeeded");
  await expect(page.getByRole("img", { name: /successful and \d+ failed attempts/ })).toBeVisible();
  await page.screenshot({ path: "e2e/screenshots/webhook-deliveries.png", fullPage: true });
});
