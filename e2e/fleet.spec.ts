import { expect, test, type Page } from "@playwright/test";
import { signUp } from "./helpers";

// The fleet overview and a device's signal charts, rendered with real data: devices reporting through the status
// API (as the simulator does), a webhook delivering to an inbox. Screenshots at desktop and phone widths land in
// docs/screenshots/.

const WIDTHS = [
  { name: "desktop", width: 1360, height: 900 },
  { name: "phone", width: 390, height: 844 },
] as const;

async function shoot(page: Page, name: string) {
  for (const size of WIDTHS) {
    await page.setViewportSize({ width: size.width, height: size.height });
    await page.waitForTimeout(400);
    await page.screenshot({ path: `docs/screenshots/${name}-${size.name}.png`, fullPage: true });
  }
  await page.setViewportSize({ width: WIDTHS[0].width, height: WIDTHS[0].height });
}

test("fleet overview and signal charts render with data", async ({ page, baseURL }) => {
  test.setTimeout(180_000);
  const { slug } = await signUp(page, { name: "Fleet Operator", org: "Fleet Co" });
  const api = (path: string) => `/api/orgs/${slug}${path}`;
  const origin = { origin: baseURL! };

  // an inbox to receive a webhook's deliveries
  await page.goto(`/orgs/${slug}/inbox`);
  await page.getByRole("button", { name: "Create inbox" }).first().click();
  const dialog = page.getByRole("dialog", { name: "Create inbox" });
  await dialog.getByLabel("Name").fill("Receiver");
  await dialog.getByRole("button", { name: "Create inbox" }).click();
  await expect(dialog).toBeHidden();
  const inboxUrl = await page.getByLabel("Inbox URL").inputValue();
  await page.goto(`/orgs/${slug}/webhooks/new`);
  await page.getByLabel("Webhook Name").fill("Ops");
  await page.getByRole("textbox", { name: /^URL\b/ }).fill(inboxUrl);
  for (const name of ["Online", "Offline", "Utilizing"]) await page.getByRole("switch", { name, exact: true }).check();
  await page.getByRole("button", { name: "Save" }).click();
  await page.waitForURL(/\/webhooks\/\d+$/);

  const fleet = [
    { udid: "sensor-a", name: "Sensor A" },
    { udid: "sensor-b", name: "Sensor B" },
    { udid: "gateway-c", name: "Gateway C" },
    { udid: "spare-d", name: "Spare D" },
  ];
  const tokens = new Map<string, string>();
  const ids = new Map<string, number>();
  for (const d of fleet) {
    const res = await page.request.post(api("/devices"), { headers: origin, data: { ...d, offlineAfterSeconds: 300 } });
    expect(res.status(), await res.text()).toBe(201);
    const body = (await res.json()) as { token: string; device: { id: number } };
    tokens.set(d.udid, body.token);
    ids.set(d.udid, body.device.id);
  }
  const report = async (udid: string, body: Record<string, unknown>) => {
    const res = await page.request.post(`/api/v1/devices/${udid}/status`, {
      headers: { authorization: `Bearer ${tokens.get(udid)}`, "content-type": "application/json" },
      data: body,
    });
    expect(res.status(), await res.text()).toBe(200);
  };
  // Sensor A reports a series of readings; B goes utilizing; C comes and goes; D never connects
  const temps = [21.5, 22.0, 23.8, 19.2, 24.6, 22.4, 21.9, 20.3];
  for (let i = 0; i < temps.length; i++) {
    await report("sensor-a", { status: "online", signals: { temperature: temps[i], battery: 90 - i, mode: i < 4 ? "idle" : "sampling" } });
    // spread over a few seconds, so a narrow custom range shows them as separate points
    await page.waitForTimeout(700);
  }
  await report("sensor-b", { status: "online", signals: { temperature: 18.5 } });
  await report("sensor-b", { status: "utilizing" });
  await report("gateway-c", { status: "online" });
  await report("gateway-c", { status: "offline" });
  await expect(async () => {
    const res = await page.request.get(api("/deliveries"));
    const body = (await res.json()) as { items: { status: string }[] };
    expect(body.items.filter((i) => i.status === "succeeded").length).toBeGreaterThanOrEqual(3);
  }).toPass({ timeout: 30_000 });

  // The overview: the sidebar's first entry, status counts, charts, lists
  await page.goto(`/orgs/${slug}`);
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Overview" })).toHaveAttribute("aria-current", "page");
  await expect(page.getByTestId("fleet-count-total")).toHaveText("4");
  await expect(page.getByTestId("fleet-count-online")).toHaveText("1");
  await expect(page.getByTestId("fleet-count-utilizing")).toHaveText("1");
  await expect(page.getByTestId("fleet-count-offline")).toHaveText("1");
  await expect(page.getByTestId("fleet-count-never_connected")).toHaveText("1");
  await expect(page.getByTestId("chart-status").locator("canvas")).toBeVisible();
  // the aggregates follow within seconds (FLEET_ROLLUP_SECONDS=2 here) and the page refreshes itself
  await expect(page.getByTestId("chart-events").locator("canvas")).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId("chart-deliveries").locator("canvas")).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId("chart-events")).toContainText("device.telemetry");
  const never = page.getByRole("region", { name: "Never connected" }).or(page.locator("section", { hasText: "Never connected" }).last());
  await expect(never.getByRole("link", { name: "Spare D" })).toBeVisible();
  await expect(page.locator("section", { hasText: "Recently offline" }).getByRole("link", { name: "Gateway C" })).toBeVisible();
  await shoot(page, "fleet-overview");

  // 7 d range
  await page.getByRole("button", { name: "7 d" }).click();
  await expect(page.getByRole("button", { name: "7 d" })).toHaveAttribute("aria-pressed", "true");
  await expect(page.getByTestId("chart-events").locator("canvas")).toBeVisible();

  // The device list says "Never connected", and filters by it
  await page.goto(`/orgs/${slug}/devices`);
  const spare = page.getByTestId("device-row").filter({ hasText: "Spare D" });
  await expect(spare.getByTestId("device-status")).toHaveAttribute("data-status", "never_connected");
  await expect(spare.getByText("Never connected")).toBeVisible();
  await page.getByLabel("Status", { exact: true }).selectOption("never_connected");
  await expect(page.getByTestId("device-row")).toHaveCount(1);
  await page.getByLabel("Status", { exact: true }).selectOption("");
  // a signal as an optional column
  await page.getByRole("button", { name: /Signal columns/ }).click();
  await page.getByLabel("temperature", { exact: true }).check();
  await expect(page.getByTestId("device-row").filter({ hasText: "Sensor A" }).getByTestId("signal-cell-temperature")).toHaveText("20.3");

  // The device page: last-known values, a chart per numeric signal with min/max/last, a timeline, the address
  await page.goto(`/orgs/${slug}/devices/${ids.get("sensor-a")}`);
  await expect(page.getByTestId("device-last-ip")).toHaveText(/\d|:/);
  await expect(page.getByTestId("signal-latest")).toHaveCount(3);
  const chart = page.locator('[data-testid="signal-chart"][data-signal="temperature"]');
  await expect(chart.locator("canvas")).toBeVisible();
  await expect(chart.getByTestId("signal-min")).toHaveText("19.2");
  await expect(chart.getByTestId("signal-max")).toHaveText("24.6");
  await expect(chart.getByTestId("signal-last")).toHaveText("20.3");
  const timeline = page.locator('[data-testid="signal-timeline"][data-signal="mode"]');
  await expect(timeline.getByText("idle")).toBeVisible();
  await expect(timeline.getByText("sampling")).toBeVisible();
  await page.getByRole("button", { name: "1 h" }).click();
  await expect(chart.getByTestId("signal-max")).toHaveText("24.6");
  // a custom range of a few minutes: the readings spread over several points (buckets matched to the chart width)
  await page.getByRole("button", { name: "Custom" }).click();
  const [from, to] = await page.evaluate(() => {
    const local = (d: Date) => new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
    const now = Date.now();
    return [local(new Date(now - 120_000)), local(new Date(now + 120_000))];
  });
  await page.getByLabel("From", { exact: true }).fill(from);
  await page.getByLabel("To", { exact: true }).fill(to);
  await expect(chart.getByTestId("signal-plot")).toHaveAttribute("data-points", /^[3-8]$/);
  await expect(chart.getByTestId("signal-min")).toHaveText("19.2");
  await shoot(page, "device-signals");

  // CSV export of the range
  const href = await page.getByRole("link", { name: "Export CSV" }).getAttribute("href");
  const csv = await page.request.get(href!);
  expect(csv.headers()["content-type"]).toContain("text/csv");
  const lines = (await csv.text()).trim().split("\n");
  expect(lines[0]).toBe("received_at,name,value");
  expect(lines).toHaveLength(1 + temps.length * 3);
});
