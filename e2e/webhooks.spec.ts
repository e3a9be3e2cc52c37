import http from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test, type Page } from "@playwright/test";

// A local receiver started by the test (http on 127.0.0.1), recording what it gets.
type Got = { method: string; url: string; headers: http.IncomingHttpHeaders; body: string };
const received: Got[] = [];
let server: http.Server;
let receiverUrl = "";

test.beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      received.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      res.writeHead(200, { "content-type": "application/json" }).end('{"thanks":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  receiverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/signalpost`;
});
test.afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function signUp(page: Page): Promise<string> {
  const n = Date.now().toString(36);
  await page.goto("/sign-up");
  await page.getByLabel("Name", { exact: true }).fill("Hook Admin");
  await page.getByLabel("Email").fill(`hooks-${n}@example.com`);
  await page.getByLabel("Password").fill("correct horse battery");
  await page.getByLabel("Organization name").fill(`Hooks ${n}`);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.waitForURL(/\/orgs\/[^/]+\//);
  return new URL(page.url()).pathname.split("/")[2];
}

test("create a webhook with headers and a custom body, test it, rotate its secret, delete it", async ({ page }) => {
  const slug = await signUp(page);
  await page.goto(`/orgs/${slug}/webhooks`);
  await expect(page.getByRole("heading", { name: "No webhooks yet" })).toBeVisible();
  await page.getByRole("link", { name: "Create Webhook" }).first().click();
  await expect(page.getByRole("heading", { name: "Create Webhook" })).toBeVisible();

  const preview = page.getByRole("region", { name: "Request preview" });
  // Save with nothing: errors under the fields, nothing saved
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText("Webhook Name is required.")).toBeVisible();
  await expect(page.getByText("URL is required.")).toBeVisible();
  await expect(page.getByText("Select at least one event.")).toBeVisible();

  await page.getByLabel("Webhook Name").fill("Ops alerts");
  await page.getByRole("textbox", { name: "URL", exact: true }).fill(receiverUrl);
  await expect(page.getByTestId("preview-url")).toHaveText(receiverUrl);
  await page.getByLabel("Description").fill("Pages the on-call when a device drops");
  await page.getByLabel("Offline", { exact: true }).check();
  await page.getByLabel("Online", { exact: true }).check();
  await expect(preview).toContainText("Sample Online event");
  await expect(page.getByTestId("preview-body")).toContainText('"eventActivity": "device.status.online"');

  await page.getByLabel("Method").selectOption("PUT");
  await expect(preview).toContainText("PUT");

  // custom body: the preview changes as we type
  await page.getByLabel("Custom body").check();
  const template = page.getByLabel("Body template");
  await template.fill('{"text":"{{deviceName}} is {{data.status}}"}');
  await expect(page.getByTestId("preview-body")).toContainText('"text": "Galaxy Note 8 is online"');
  await template.pressSequentially(" ", { delay: 10 });
  await template.fill('{"text":"{{deviceName}} went {{data.status}}","udid":"{{deviceUdid}}"}');
  await expect(page.getByTestId("preview-body")).toContainText('"text": "Galaxy Note 8 went online"');
  await expect(page.getByTestId("preview-body")).toContainText('"udid": "ce0917198075440c057e"');

  // headers and a query parameter
  await page.getByRole("button", { name: "+ Add header" }).click();
  await page.getByLabel("Header 1 name").fill("X-Team");
  await page.getByLabel("Header 1 value").fill("ops-{{deviceUdid}}");
  await expect(page.getByTestId("preview-headers")).toContainText("X-Team:ops-ce0917198075440c057e");
  await page.getByRole("button", { name: "+ Add header" }).click();
  await page.getByLabel("Header 2 name").fill("Content-Type");
  await expect(page.getByText('"Content-Type" is set by Signalpost and cannot be overridden.')).toBeVisible();
  await page.getByRole("button", { name: "Remove header 2" }).click();
  await page.getByRole("button", { name: "+ Add query parameter" }).click();
  await page.getByLabel("Query parameter 1 name").fill("source");
  await page.getByLabel("Query parameter 1 value").fill("{{eventActivity}}");
  await expect(page.getByTestId("preview-url")).toHaveText(`${receiverUrl}?source=device.status.online`);

  // bearer auth is masked in the preview
  await page.getByLabel("Bearer").check();
  await page.getByLabel("Token").fill("super-secret-token");
  await expect(page.getByTestId("preview-headers")).toContainText("authorization:Bearer ••••••");
  await expect(preview).not.toContainText("super-secret-token");
  await expect(page.getByTestId("preview-headers")).toContainText("webhook-signature:computed at send time");
  await page.screenshot({ path: "e2e/screenshots/webhook-form.png", fullPage: true });

  // Send test event from the unsaved form: the local receiver answers 200
  await page.getByRole("button", { name: "Send test event" }).click();
  const result = page.getByRole("status", { name: "Test event result" });
  await expect(result).toContainText("HTTP 200");
  await expect(result).toContainText('{"thanks":true}');
  const got = received.at(-1)!;
  expect(got.method).toBe("PUT");
  expect(got.url).toBe("/signalpost?source=device.status.online");
  expect(got.headers["x-team"]).toBe("ops-ce0917198075440c057e");
  expect(got.headers.authorization).toBe("Bearer super-secret-token");
  expect(got.headers["webhook-signature"]).toMatch(/^v1,/);
  expect(JSON.parse(got.body)).toEqual({ text: "Galaxy Note 8 went online", udid: "ce0917198075440c057e" });

  // Save (with the endpoint check against the receiver)
  const before = received.length;
  await page.getByRole("button", { name: "Save" }).click();
  await page.waitForURL(new RegExp(`/orgs/${slug}/webhooks/\\d+$`));
  expect(received.length).toBe(before + 1);
  await expect(page.getByRole("heading", { name: /Ops alerts/ })).toBeVisible();

  // Reveal, then rotate with a transition period
  await page.getByRole("button", { name: "Reveal" }).click();
  const secretBox = page.getByTestId("webhook-secret");
  await expect(secretBox).toHaveText(/^whsec_[A-Za-z0-9+/]{43}=$/);
  const first = await secretBox.textContent();
  await page.getByRole("button", { name: "Rotate secret" }).click();
  await page.getByLabel("Transition period").selectOption("1h");
  await page.getByRole("dialog").getByRole("button", { name: "Rotate secret" }).click();
  await expect(secretBox).not.toHaveText(first!);
  await expect(secretBox).toHaveText(/^whsec_[A-Za-z0-9+/]{43}=$/);
  await expect(page.getByText(/Rotation in progress/)).toBeVisible();

  // test event from the saved webhook carries two signatures during the overlap
  await page.getByRole("button", { name: "Send test event" }).click();
  await expect(page.getByRole("status", { name: "Test event result" })).toContainText("HTTP 200");
  expect((received.at(-1)!.headers["webhook-signature"] as string).split(" ")).toHaveLength(2);
  await page.screenshot({ path: "e2e/screenshots/webhook-detail.png", fullPage: true });

  // the list shows it
  await page.goto(`/orgs/${slug}/webhooks`);
  await expect(page.getByRole("link", { name: "Ops alerts" })).toBeVisible();
  await expect(page.getByText("Active")).toBeVisible();
  await page.screenshot({ path: "e2e/screenshots/webhooks-list.png", fullPage: true });

  // delete through the modal
  await page.getByRole("link", { name: "Ops alerts" }).click();
  await expect(page.getByRole("heading", { name: /Ops alerts/ })).toBeVisible();
  // edit: credentials are never sent back, a blank token keeps the stored one
  await page.getByRole("link", { name: "Edit" }).click();
  await expect(page.getByText("set — leave blank to keep")).toBeVisible();
  await expect(page.getByLabel("Token")).toHaveValue("");
  await expect(page.getByLabel("Body template")).toHaveValue('{"text":"{{deviceName}} went {{data.status}}","udid":"{{deviceUdid}}"}');
  await page.getByLabel("Webhook Name").fill("Ops alerts v2");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("heading", { name: /Ops alerts v2/ })).toBeVisible();
  await page.getByRole("button", { name: "Send test event" }).click();
  await expect(page.getByRole("status", { name: "Test event result" })).toContainText("HTTP 200");
  expect(received.at(-1)!.headers.authorization).toBe("Bearer super-secret-token");

  await page.getByRole("button", { name: "Delete" }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog).toContainText('Delete "Ops alerts v2"?');
  await dialog.getByRole("button", { name: "Delete" }).click();
  await page.waitForURL(new RegExp(`/orgs/${slug}/webhooks$`));
  await expect(page.getByRole("heading", { name: "No webhooks yet" })).toBeVisible();
});
