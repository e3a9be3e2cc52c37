import { expect, test } from "@playwright/test";
import { Webhook } from "standardwebhooks";
import { signUp } from "./helpers";

test("create an inbox, deliver a signed test event to it and see it verified", async ({ page, request }) => {
  test.setTimeout(180_000);
  const { slug } = await signUp(page);

  // 1. Create an inbox
  await page.goto(`/orgs/${slug}/inbox`);
  await expect(page.getByRole("heading", { name: "No inboxes yet" })).toBeVisible();
  await page.screenshot({ path: "e2e/screenshots/inbox-empty.png", fullPage: true });
  await page.getByRole("button", { name: "Create inbox" }).first().click();
  const dialog = page.getByRole("dialog", { name: "Create inbox" });
  await dialog.getByLabel("Name").fill("Staging receiver");
  await dialog.getByRole("button", { name: "Create inbox" }).click();
  await expect(dialog).toBeHidden();
  const urlField = page.getByLabel("Inbox URL");
  await expect(urlField).toHaveValue(/\/api\/inbox\/[0-9A-Za-z]{32}$/);
  const inboxUrl = await urlField.inputValue();
  expect(new URL(inboxUrl).origin).toBe(new URL(page.url()).origin);
  await expect(page.getByRole("heading", { name: "Waiting for the first request" })).toBeVisible();
  await page.screenshot({ path: "e2e/screenshots/inbox-waiting.png", fullPage: true });

  // 2. A webhook pointing at the inbox (the endpoint check on Save is itself answered by the inbox)
  await page.goto(`/orgs/${slug}/webhooks/new`);
  await page.getByLabel("Webhook Name").fill("Inbox hook");
  const picker = page.getByRole("button", { name: "Use an inbox" });
  // the org has an inbox, so the picker must be there: assert it (waits), never skip its checks silently
  await expect(picker).toBeVisible();
  const menu = page.getByRole("group", { name: "Inboxes" });
  await picker.click();
  await expect(menu).toBeVisible();
  // focus moving elsewhere (Tab, a click into another field) closes the menu, as Escape does
  await page.getByLabel("Webhook Name").focus();
  await expect(menu).toBeHidden();
  await picker.click();
  await page.getByRole("button", { name: /Staging receiver/ }).click();
  await expect(menu).toBeHidden();
  await expect(page.getByRole("textbox", { name: /^URL\b/ })).toHaveValue(inboxUrl);
  await page.getByRole("switch", { name: "Online", exact: true }).check();
  await page.getByRole("button", { name: "Save" }).click();
  await page.waitForURL(/\/webhooks\/\d+$/);
  const webhookId = Number(new URL(page.url()).pathname.split("/").pop());

  // 3. "Send test event" from the saved webhook: signed with its secret through the real delivery path
  await page.getByLabel("Event type").selectOption("webhook.test");
  await page.getByRole("button", { name: "Send test event" }).click();
  const result = page.getByRole("status", { name: "Test event result" });
  await expect(result).toContainText("HTTP 200");
  const eventId = (await result.getByText(/^evt_/).innerText()).trim();

  // the secret, to sign requests of our own below
  await page.getByRole("button", { name: "Reveal" }).click();
  await expect(page.getByTestId("webhook-secret")).toHaveText(/^whsec_[A-Za-z0-9+/=]{40,}$/);
  const secret = (await page.getByTestId("webhook-secret").innerText()).trim();

  // the test send is in the webhook's delivery log, marked Test, with the request that was sent
  await page.goto(`/orgs/${slug}/webhooks/${webhookId}/deliveries`);
  const testRow = page.getByTestId("test-sends").getByTestId("test-send-row").first();
  await expect(testRow.getByText("Test", { exact: true })).toBeVisible();
  await expect(testRow).toContainText("webhook.test");
  await expect(testRow).toContainText("200");
  await testRow.getByText("Request and response").click();
  await expect(testRow).toContainText(eventId);

  // 4. The test event arrived and verifies against the webhook's secret
  await page.goto(`/orgs/${slug}/inbox`);
  const items = page.getByTestId("inbox-request");
  const testItem = items.first();
  await expect(testItem.getByText("Verified — signed by webhook Inbox hook")).toBeVisible();
  await expect(testItem.getByText(/sent \d+ s ago/)).toBeVisible();
  await expect(testItem.getByRole("row", { name: /webhook-id/ })).toContainText(eventId);
  await expect(testItem.getByText('"eventActivity": "webhook.test"')).toBeVisible();
  const before = await items.count();

  // 5. A tampered copy, a form post and a signed request of our own arrive live (no reload)
  const body = JSON.stringify({ eventActivity: "device.status.online", webhookId, data: { status: "online" } });
  const msgId = `evt_e2e${Date.now()}`;
  const now = new Date();
  const headers = {
    "content-type": "application/json",
    "webhook-id": msgId,
    "webhook-timestamp": String(Math.floor(now.getTime() / 1000)),
    "webhook-signature": new Webhook(secret).sign(msgId, now, body),
  };
  const tampered = await request.post(inboxUrl, { headers, data: body.replace("online", "offline") });
  expect(tampered.status()).toBe(200);
  expect(await tampered.json()).toEqual({ ok: true, inbox: "Staging receiver" });
  const form = await request.put(`${inboxUrl}?source=e2e`, {
    headers: { "content-type": "application/x-www-form-urlencoded" },
    data: "deviceUdid=ce0917198075440c057e&data%5Bstatus%5D=offline",
  });
  expect(form.status()).toBe(200);
  const signed = await request.post(inboxUrl, { headers, data: body });
  expect(signed.status()).toBe(200);

  await expect(items).toHaveCount(before + 3);
  const newest = items.first();
  await expect(newest.getByText("Verified — signed by webhook Inbox hook")).toBeVisible();
  await expect(newest.getByText('"eventActivity": "device.status.online"')).toBeVisible();

  const formItem = items.nth(1);
  await formItem.getByRole("button", { expanded: false }).click();
  await expect(formItem.getByText("Unsigned", { exact: true }).first()).toBeVisible();
  await expect(formItem.getByRole("cell", { name: "data[status]" })).toBeVisible();
  await expect(formItem.getByText("?source=e2e").first()).toBeVisible();

  const tamperedItem = items.nth(2);
  await tamperedItem.getByRole("button", { expanded: false }).click();
  await expect(tamperedItem.getByText("Invalid signature (tampered body)")).toBeVisible();
  await page.screenshot({ path: "e2e/screenshots/inbox-requests.png", fullPage: true });
  await newest.scrollIntoViewIfNeeded();
  await page.screenshot({ path: "e2e/screenshots/inbox-request-detail.png" });

  // 6. A live arrival without reloading
  await request.delete(inboxUrl);
  await expect(items).toHaveCount(before + 4);
  await expect(items.first()).toContainText("DELETE");

  // 7. Rehearse a failure: answer 503 after 0.2 s
  await page.getByRole("button", { name: "Edit response" }).click();
  const edit = page.getByRole("dialog", { name: "Edit response" });
  await edit.getByLabel("Response status").fill("503");
  await edit.getByLabel("Delay (seconds)").fill("0.2");
  await edit.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText(/^Answers 503 after 0.2 s/)).toBeVisible();
  expect((await request.post(inboxUrl, { data: "{}" })).status()).toBe(503);

  // 8. Clear, then delete (confirmation modal); the URL then answers 404
  await page.getByRole("button", { name: "Clear inbox" }).click();
  await expect(page.getByRole("heading", { name: "Waiting for the first request" })).toBeVisible();
  await page.getByRole("button", { name: "Delete inbox" }).click();
  const confirm = page.getByRole("dialog", { name: /Delete inbox/ });
  await expect(confirm).toBeVisible();
  await page.screenshot({ path: "e2e/screenshots/inbox-delete-confirm.png" });
  await confirm.getByRole("button", { name: "Delete" }).click();
  await expect(page.getByRole("heading", { name: "No inboxes yet" })).toBeVisible();
  expect((await request.post(inboxUrl, { data: "{}" })).status()).toBe(404);
});
