import http from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test, type Page } from "@playwright/test";

// A local receiver started by the test (http on 127.0.0.1), recording what it gets.
type Got = { method: string; url: string; headers: http.IncomingHttpHeaders; body: string };
const received: Got[] = [];
let server: http.Server;
let receiverUrl = "";
// a receiver that answers 500 to everything (the endpoint check fails against it)
const refused: Got[] = [];
let failing: http.Server;
let failingUrl = "";

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
  failing = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      refused.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      res.writeHead(500, { "content-type": "text/plain" }).end("boom");
    });
  });
  await new Promise<void>((resolve) => failing.listen(0, "127.0.0.1", resolve));
  failingUrl = `http://127.0.0.1:${(failing.address() as AddressInfo).port}/broken`;
});
test.afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await new Promise<void>((resolve) => failing.close(() => resolve()));
});

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
  // (exact: the error summary beside Save names them too, as "Webhook Name: Webhook Name is required.")
  await expect(page.getByText("Webhook Name is required.", { exact: true })).toBeVisible();
  await expect(page.getByText("URL is required.", { exact: true })).toBeVisible();
  await expect(page.getByText("Select at least one event.", { exact: true })).toBeVisible();

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
  // the heading's accessible name is the webhook's name alone (the status badge sits beside the h1)
  await expect(page.getByRole("heading", { level: 1, name: "Ops alerts", exact: true })).toBeVisible();

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
  await expect(page.getByRole("table", { name: "Webhooks" }).getByText("Active")).toBeVisible();
  await page.screenshot({ path: "e2e/screenshots/webhooks-list.png", fullPage: true });
  // on a phone each webhook is a stacked card: name, status, host, events count
  await page.setViewportSize({ width: 390, height: 844 });
  const card = page.getByTestId("webhook-card").filter({ hasText: "Ops alerts" });
  await expect(card).toBeVisible();
  await expect(card).toContainText("Active");
  await expect(card).toContainText(/\d+ events?/);
  await page.setViewportSize({ width: 1360, height: 900 });

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

// ---- Issue #22, items 1–5: the form after a refusal, the error summary, accessibility, Active, phone width ----

const online = (page: Page) => page.getByRole("switch", { name: "Online", exact: true });
const saveButton = (page: Page) => page.getByRole("button", { name: "Save", exact: true });

/** Creates a webhook through the form (endpoint check skipped) and waits for its page. */
async function createQuickly(page: Page, slug: string, name: string) {
  await page.goto(`/orgs/${slug}/webhooks/new`);
  await page.getByLabel("Webhook Name").fill(name);
  await page.getByRole("textbox", { name: "URL", exact: true }).fill(receiverUrl);
  await online(page).check();
  await page.getByLabel("Skip endpoint check").check();
  await saveButton(page).click();
  await page.waitForURL(new RegExp(`/orgs/${slug}/webhooks/\\d+$`));
}

/** WCAG contrast ratio of an element's text against the first opaque background behind it. */
async function contrastOf(locator: import("@playwright/test").Locator): Promise<number> {
  return locator.evaluate((el) => {
    const rgb = (c: string) => (c.match(/[\d.]+/g) ?? []).map(Number);
    const lum = ([r, g, b]: number[]) => {
      const f = (v: number) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    let bg: number[] = [255, 255, 255];
    for (let n: Element | null = el; n; n = n.parentElement) {
      const c = rgb(getComputedStyle(n).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] === 1)) {
        bg = c.slice(0, 3);
        break;
      }
    }
    const [a, b] = [lum(rgb(getComputedStyle(el).color).slice(0, 3)), lum(bg)].sort((x, y) => y - x);
    return (a + 0.05) / (b + 0.05);
  });
}

test("#22.1 after the endpoint check refuses a Save, the screen, the preview and what is saved agree", async ({ page }) => {
  const slug = await signUp(page);
  await page.goto(`/orgs/${slug}/webhooks/new`);
  const preview = page.getByRole("region", { name: "Request preview" });
  // the scenario: a receiver answering 500, Online, PUT, Basic
  await page.getByLabel("Webhook Name").fill("Refused first");
  await page.getByRole("textbox", { name: "URL", exact: true }).fill(failingUrl);
  await online(page).check();
  await page.getByLabel("Method").selectOption("PUT");
  await page.getByLabel("Basic", { exact: true }).check();
  await page.getByLabel("Username").fill("ops");
  await page.getByLabel("Password").fill("hunter2");
  const before = refused.length;
  await saveButton(page).click();
  await expect(page.getByText("Endpoint check failed: receiver answered HTTP 500").first()).toBeVisible();
  expect(refused.length).toBe(before + 1);
  expect(page.url()).toMatch(/\/webhooks\/new$/);

  // what the screen shows is still what was chosen, and the preview says the same
  await expect(page.getByLabel("Method")).toHaveValue("PUT");
  await expect(page.getByLabel("Basic", { exact: true })).toBeChecked();
  await expect(page.getByLabel("None", { exact: true })).not.toBeChecked();
  await expect(page.getByLabel("Username")).toHaveValue("ops");
  await expect(online(page)).toBeChecked();
  await expect(page.getByLabel("Skip endpoint check")).not.toBeChecked();
  await expect(preview.getByText("PUT", { exact: true })).toBeVisible();
  await expect(page.getByTestId("preview-headers")).toContainText("authorization:Basic ••••••");
  await expect(page.getByTestId("error-summary")).toContainText("receiver answered HTTP 500");

  // tick Skip, Save: saved as shown
  await page.getByLabel("Skip endpoint check").check();
  await saveButton(page).click();
  await page.waitForURL(new RegExp(`/orgs/${slug}/webhooks/\\d+$`));
  expect(refused.length).toBe(before + 1); // skipped: no second check
  await page.getByRole("link", { name: "Edit" }).click();
  await expect(page.getByLabel("Method")).toHaveValue("PUT");
  await expect(page.getByLabel("Basic", { exact: true })).toBeChecked();
  await expect(page.getByLabel("Username")).toHaveValue("ops");
  await expect(online(page)).toBeChecked();
  await expect(page.getByRole("switch", { name: "Offline", exact: true })).not.toBeChecked();

  // another refusal (a duplicate name): the choices made before it are what is saved after it
  await page.goto(`/orgs/${slug}/webhooks/new`);
  await page.getByLabel("Webhook Name").fill("Refused first");
  await page.getByRole("textbox", { name: "URL", exact: true }).fill(receiverUrl);
  await page.getByRole("switch", { name: "Offline", exact: true }).check();
  await page.getByLabel("Method").selectOption("PATCH");
  await page.getByRole("radio", { name: "Form", exact: true }).check();
  await page.getByLabel("Skip endpoint check").check();
  await saveButton(page).click();
  await expect(page.getByText('A webhook named "Refused first" already exists in this organization.').first()).toBeVisible();
  await expect(page.getByLabel("Method")).toHaveValue("PATCH");
  await expect(page.getByRole("radio", { name: "Form", exact: true })).toBeChecked();
  await expect(page.getByLabel("Skip endpoint check")).toBeChecked();
  await page.getByLabel("Webhook Name").fill("Second");
  await saveButton(page).click();
  await page.waitForURL(new RegExp(`/orgs/${slug}/webhooks/\\d+$`));
  await page.getByRole("link", { name: "Edit" }).click();
  await expect(page.getByLabel("Method")).toHaveValue("PATCH");
  await expect(page.getByRole("radio", { name: "Form", exact: true })).toBeChecked();
  await expect(page.getByRole("switch", { name: "Offline", exact: true })).toBeChecked();
  await expect(online(page)).not.toBeChecked();
});

test("#22.2 a refused Save focuses the first problem and names every problem beside Save; Save anyway past the endpoint check", async ({ page }) => {
  const slug = await signUp(page);
  await page.goto(`/orgs/${slug}/webhooks/new`);
  // an empty form, Save clicked from the bottom of the page: one click is enough
  await saveButton(page).scrollIntoViewIfNeeded();
  await saveButton(page).click();
  await expect(page.getByLabel("Webhook Name")).toBeFocused();
  await expect(page.getByLabel("Webhook Name")).toBeInViewport();
  const summary = page.getByTestId("error-summary");
  await expect(summary).toContainText("Not saved: 3 problems to fix.");
  await expect(summary).toContainText("Webhook Name: Webhook Name is required.");
  await expect(summary).toContainText("URL: URL is required.");
  await expect(summary).toContainText("Events: Select at least one event.");
  await expect(summary.locator("xpath=..")).toHaveAttribute("aria-live", "assertive");
  // each problem links to its field
  await summary.getByRole("link", { name: "Events" }).click();
  await expect(page.getByRole("group", { name: "Events" }).getByRole("switch").first()).toBeFocused();

  // fix them; the endpoint check fails: the summary says what the receiver answered and offers Save anyway
  await page.getByLabel("Webhook Name").fill("Check me");
  await page.getByRole("textbox", { name: "URL", exact: true }).fill(failingUrl);
  await online(page).check();
  await expect(summary).toHaveCount(0);
  const before = refused.length;
  await saveButton(page).click();
  await expect(summary).toContainText("The endpoint check failed; nothing was saved.");
  await expect(summary).toContainText("URL: Endpoint check failed: receiver answered HTTP 500");
  await expect(summary).toBeFocused();
  const anyway = summary.getByRole("button", { name: "Save anyway" });
  await expect(anyway).toBeInViewport();
  await anyway.click();
  await page.waitForURL(new RegExp(`/orgs/${slug}/webhooks/\\d+$`));
  await expect(page.getByRole("heading", { name: /Check me/ })).toBeVisible();
  expect(refused.length).toBe(before + 1); // Save anyway skips the check
});

test("#22.3 Events is a group named by its legend, of toggles that look like switches", async ({ page }) => {
  const slug = await signUp(page);
  await page.goto(`/orgs/${slug}/webhooks/new`);
  const events = page.getByRole("group", { name: "Events" });
  await expect(events.getByRole("switch")).toHaveCount(await page.getByRole("switch").count());
  expect(await events.getByRole("switch").count()).toBeGreaterThanOrEqual(8);
  // drawn as a switch (a track wider than tall, no native checkbox), on and off look different
  const look = (el: Element) => {
    const s = getComputedStyle(el);
    const r = el.getBoundingClientRect();
    return { appearance: s.appearance, ratio: r.width / r.height, bg: s.backgroundColor };
  };
  const off = await online(page).evaluate(look);
  expect(off.appearance).toBe("none");
  expect(off.ratio).toBeGreaterThanOrEqual(1.6);
  await online(page).check();
  // the track's colour transitions (150 ms): wait for it rather than reading the first frame
  await expect.poll(async () => (await online(page).evaluate(look)).bg).not.toBe(off.bg);
});

test("#22.3 the preview's \"computed at send time\" meets 4.5:1 contrast", async ({ page }) => {
  const slug = await signUp(page);
  await page.goto(`/orgs/${slug}/webhooks/new`);
  const notes = page.getByTestId("preview-headers").getByText("computed at send time");
  await expect(notes).toHaveCount(2);
  for (const note of await notes.all()) expect(await contrastOf(note)).toBeGreaterThanOrEqual(4.5);
});

test("#22.3 the delete dialog opens with focus on Cancel, never on × or Delete", async ({ page }) => {
  const slug = await signUp(page);
  await createQuickly(page, slug, "To delete");
  await page.getByRole("button", { name: "Delete" }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog.getByRole("button", { name: "Cancel" })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(dialog).toBeHidden();
  await expect(page.getByRole("heading", { name: /To delete/ })).toBeVisible();
});

test("#22.4 Active on create: ticked by default; unticked creates the webhook disabled", async ({ page }) => {
  const slug = await signUp(page);
  await page.goto(`/orgs/${slug}/webhooks/new`);
  const active = page.getByLabel("Active", { exact: true });
  await expect(active).toBeChecked();
  await active.uncheck();
  await page.getByLabel("Webhook Name").fill("Later");
  await page.getByRole("textbox", { name: "URL", exact: true }).fill(receiverUrl);
  await online(page).check();
  await page.getByLabel("Skip endpoint check").check();
  await saveButton(page).click();
  await page.waitForURL(new RegExp(`/orgs/${slug}/webhooks/\\d+$`));
  await expect(page.getByText("This webhook is disabled")).toBeVisible();
  await expect(page.getByText(/Created inactive/)).toBeVisible();
  await expect(page.getByRole("button", { name: "Enable" })).toBeVisible();
  // the edit form has no Active: Enable / Disable switch a saved webhook
  await page.getByRole("link", { name: "Edit" }).click();
  await expect(page.getByLabel("Webhook Name")).toHaveValue("Later");
  await expect(page.getByLabel("Active", { exact: true })).toHaveCount(0);
  // ticked (the default) creates it enabled
  await createQuickly(page, slug, "Now");
  await expect(page.getByText("This webhook is disabled")).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Disable" })).toBeVisible();
});

test("#22 screenshots of the form at 1360 px", async ({ page }) => {
  const slug = await signUp(page);
  await page.goto(`/orgs/${slug}/webhooks/new`);
  await page.getByLabel("Webhook Name").fill("Ops alerts");
  await page.getByRole("textbox", { name: "URL", exact: true }).fill("https://hooks.example.com/signalpost");
  await online(page).check();
  await page.getByRole("switch", { name: "Offline", exact: true }).check();
  await page.screenshot({ path: "docs/screenshots/webhook-form-1360.png", fullPage: true });
  // a client-side refusal only (the URL is never contacted): the name is missing
  await page.getByLabel("Webhook Name").fill("");
  await saveButton(page).click();
  await expect(page.getByTestId("error-summary")).toBeVisible();
  await page.getByTestId("error-summary").scrollIntoViewIfNeeded();
  await page.screenshot({ path: "docs/screenshots/webhook-form-errors-1360.png" });
});

test.describe("at phone width (390 px)", () => {
  test.use({ viewport: { width: 390, height: 844 } });

  test("#22.5 the URL keeps its width beside \"Use an inbox\", locked header names are whole", async ({ page }) => {
    const slug = await signUp(page);
    await page.goto(`/orgs/${slug}/webhooks/new`);
    const url = page.getByRole("textbox", { name: "URL", exact: true });
    await url.fill(receiverUrl);
    const box = (await url.boundingBox())!;
    expect(box.width).toBeGreaterThanOrEqual(280);
    expect(box.x + box.width).toBeLessThanOrEqual(390);
    await expect(page.getByRole("button", { name: "Use an inbox" })).toBeVisible();
    const names = page.getByLabel("Pre-filled header name");
    expect(await names.count()).toBe(5);
    for (const name of await names.all()) {
      const cut = await name.evaluate((el) => el.scrollWidth > el.clientWidth);
      expect(cut, `${await name.inputValue()} is cut`).toBe(false);
    }
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  });

  test("#22.5 Form / Preview tabs instead of the preview after Save", async ({ page }) => {
    const slug = await signUp(page);
    await page.goto(`/orgs/${slug}/webhooks/new`);
    const formTab = page.getByRole("tab", { name: "Form" });
    const previewTab = page.getByRole("tab", { name: "Preview" });
    await expect(formTab).toHaveAttribute("aria-selected", "true");
    await expect(page.getByRole("region", { name: "Request preview" })).toBeHidden();
    await page.getByLabel("Webhook Name").fill("Phone hook");
    await page.getByRole("textbox", { name: "URL", exact: true }).fill(receiverUrl);
    await online(page).check();
    await page.screenshot({ path: "docs/screenshots/webhook-form-390.png", fullPage: true });

    await previewTab.click();
    await expect(previewTab).toHaveAttribute("aria-selected", "true");
    await expect(page.getByRole("region", { name: "Request preview" })).toBeVisible();
    await expect(page.getByTestId("preview-url")).toHaveText(receiverUrl);
    await expect(page.getByLabel("Webhook Name")).toBeHidden();
    await page.screenshot({ path: "docs/screenshots/webhook-preview-390.png", fullPage: true });
    // back to the form: what was typed is still there
    await formTab.click();
    await expect(page.getByLabel("Webhook Name")).toHaveValue("Phone hook");
  });
});
