import { expect, test } from "@playwright/test";
import { signUp } from "./helpers";

test("Create Webhook → Start from fills the request from a preset; the preview shows the result", async ({ page }) => {
  const { slug } = await signUp(page);
  await page.goto(`/orgs/${slug}/webhooks/new`);
  const preview = page.getByRole("region", { name: "Request preview" });

  await page.getByLabel("Start from").selectOption({ label: "InfluxDB v2 (line protocol)" });
  await expect(page.getByLabel("Body template")).toHaveValue(/device_events,udid=\{\{\{lp\.udid\}\}\}/);
  await expect(page.getByLabel("Content type")).toHaveValue("text/plain; charset=utf-8");
  // the token header is masked in the preview; the sample event is the first selected type (Online)
  await expect(preview).toContainText("Authorization:••••••");
  await expect(preview).toContainText('device_events,udid=ce0917198075440c057e,device=Galaxy\\ Note\\ 8,event=device.status.online status="online"');

  await page.getByLabel("Start from").selectOption({ label: "Slack" });
  await expect(page.getByLabel("Body template")).toHaveValue(/^\{"text":/);
  await expect(preview).toContainText('"text"');
  // still editable
  await page.getByLabel("Body template").fill('{"text":"custom {{deviceName}}"}');
  await expect(preview).toContainText("custom");
});
