import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { renderEmail } from "@/lib/email/render";

describe("renderEmail", () => {
  it("renders an HTML and a text part with escaped content and the action link", async () => {
    const e = await renderEmail({ subject: "S", heading: "<script>x</script>", paragraphs: ['"quoted" & <b>'], action: { label: "Go", url: "https://portal.example.test/a?b=1&c=2" } });
    expect(e.html).not.toContain("<script>x</script>");
    expect(e.html).toContain("&lt;script&gt;");
    expect(e.html).toContain('href="https://portal.example.test/a?b=1&amp;c=2"');
    expect(e.text).toContain("https://portal.example.test/a?b=1&c=2");
    expect(e.text).toContain('"quoted" & <b>');
  });

  it("renders in a process under the react-server condition too (npm run worker), through the render thread", async () => {
    const root = path.resolve(__dirname, "../..");
    const { stdout } = await promisify(execFile)(
      path.join(root, "node_modules/.bin/tsx"),
      ["--conditions=react-server", "tests/support/render-under-rsc.ts"],
      { cwd: root, timeout: 60_000 },
    );
    const email = JSON.parse(stdout.trim().split("\n").at(-1)!);
    expect(email.html).toContain('href="https://portal.example.test/x"');
    expect(email.text).toContain("from a react-server process");
  }, 60_000);
});
