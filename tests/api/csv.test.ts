import { NextRequest } from "next/server";
import { describe, expect, it } from "vitest";
import { devices } from "@/db/schema";
import { GET as exportRoute } from "@/app/api/orgs/[slug]/devices/export/route";
import { importDeviceCsvAction, previewDeviceCsvAction, type CsvImportResult, type CsvPreviewResult } from "@/lib/actions/device-csv";
import { createDevice } from "@/lib/devices/admin";
import { actAs } from "../support/session";
import { twoOrgs } from "../support/fixtures";
import { useTestDatabase } from "../support/db";

const db = useTestDatabase();

async function preview(csv: string) {
  const res = await previewDeviceCsvAction(null, { orgSlug: "org-a", csv });
  const data = res!.data as CsvPreviewResult;
  // ok unless the file itself is wrong (then the problems are the message)
  expect(res?.ok).toBe(data.problems.length === 0);
  if (!res?.ok) expect(res?.message).toBe(data.problems.join(" "));
  return data;
}

async function exportCsv(slug: string, query = "") {
  const res = await exportRoute(new NextRequest(`http://localhost/api/orgs/${slug}/devices/export${query}`), { params: Promise.resolve({ slug }) });
  return { status: res.status, text: await res.text(), type: res.headers.get("content-type") };
}

describe("devices CSV", () => {
  it("preview shows every row with its errors; import creates all rows or none and returns each token once", async () => {
    const cast = await twoOrgs(db());
    await createDevice(db(), { orgId: cast.orgA.id, userId: cast.ownerA.id }, { udid: "taken", name: "Taken", tags: [], offlineAfterSeconds: 300 });
    actAs(cast.adminA.id);
    const bad = await preview("udid,name,tags,offlineAfterSeconds\nok-1,One,lab;eu,60\nbad udid,x,,\ntaken,,,\nok-1,dup,,\nok-2,,,5\n");
    expect(bad.ready).toBe(false);
    expect(bad.rows.map((r) => [r.line, r.errors.length > 0])).toEqual([[2, false], [3, true], [4, true], [5, true], [6, true]]);
    expect(bad.rows[0].tags).toEqual(["lab", "eu"]);
    const refused = await importDeviceCsvAction(null, { orgSlug: "org-a", csv: "udid\nfine-1\nbad udid\n" });
    expect(refused?.ok).toBe(false);
    expect(await db().select().from(devices)).toHaveLength(1);

    const good = "\ufeffUDID,Name,Tags\nline-1,First,line\nline-2,\"Second, with comma\",line;eu\n";
    expect((await preview(good)).ready).toBe(true);
    const done = await importDeviceCsvAction(null, { orgSlug: "org-a", csv: good });
    expect(done?.ok).toBe(true);
    const result = done!.data as CsvImportResult;
    expect(result.tokens.map((t) => [t.udid, t.name])).toEqual([["line-1", "First"], ["line-2", "Second, with comma"]]);
    expect(result.tokens.every((t) => /^spd_/.test(t.token))).toBe(true);
    expect(await db().select().from(devices)).toHaveLength(3);
  });

  it("refuses files that are not a devices CSV, clearly", async () => {
    const cast = await twoOrgs(db());
    actAs(cast.ownerA.id);
    expect((await preview("udid,password\nx,y\n")).problems[0]).toMatch(/Unknown column/);
    expect((await preview("name\nx\n")).problems.join(" ")).toMatch(/no udid column/);
    expect((await preview('udid\n"unclosed\n')).problems[0]).toMatch(/not valid CSV/);
    expect((await preview("udid\n")).problems[0]).toMatch(/no rows/);
    expect((await preview(`udid\n${Array.from({ length: 1001 }, (_, i) => `d-${i}`).join("\n")}\n`)).problems[0]).toMatch(/At most 1000/);
    expect((await previewDeviceCsvAction(null, { orgSlug: "org-a", csv: "x".repeat(1024 * 1024 + 1) }))?.ok).toBe(false);
  });

  it("a member cannot preview or import; org B's owner cannot import into org A", async () => {
    const cast = await twoOrgs(db());
    actAs(cast.memberA.id);
    expect((await importDeviceCsvAction(null, { orgSlug: "org-a", csv: "udid\nm-1\n" }))?.ok).toBe(false);
    actAs(cast.ownerB.id);
    expect((await importDeviceCsvAction(null, { orgSlug: "org-a", csv: "udid\nm-1\n" }))?.ok).toBe(false);
    expect(await db().select().from(devices)).toHaveLength(0);
  });

  it("export streams the org's devices with the list filters; formulas stay text; other orgs get 404", async () => {
    const cast = await twoOrgs(db());
    const A = { orgId: cast.orgA.id, userId: cast.ownerA.id };
    await createDevice(db(), A, { udid: "e-1", name: "=HYPERLINK(\"http://evil\")", tags: ["lab"], offlineAfterSeconds: 300 });
    await createDevice(db(), A, { udid: "e-2", name: "Plain", tags: ["eu"], offlineAfterSeconds: 300 });
    actAs(cast.memberA.id);
    const all = await exportCsv("org-a");
    expect(all.status).toBe(200);
    expect(all.type).toContain("text/csv");
    const lines = all.text.trim().split("\n");
    expect(lines[0]).toBe("id,udid,name,tags,status,lastSeenAt,registeredAt,firmwareVersion,offlineAfterSeconds,createdAt");
    expect(lines).toHaveLength(3);
    expect(all.text).toContain(`"'=HYPERLINK(""http://evil"")"`);
    const lab = await exportCsv("org-a", "?tag=lab");
    expect(lab.text.trim().split("\n")).toHaveLength(2);
    actAs(cast.ownerB.id);
    expect((await exportCsv("org-a")).status).toBe(404);
    expect((await exportCsv("org-b")).text).not.toContain("e-1");
  });
});
