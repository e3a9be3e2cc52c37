import { beforeEach, describe, expect, it } from "vitest";
import { GET } from "@/app/go/device/[orgId]/[udid]/route";
import { useTestDatabase } from "../support/db";
import { twoOrgs } from "../support/fixtures";
import { actAs } from "../support/session";
import { insertDevices } from "./helpers";

// /go/device/{orgId}/{udid}: the deviceUrl of the chat presets. A member is sent to the device page; anyone else
// learns nothing (404), the signed-out are sent to sign in and back.
const db = useTestDatabase();
let t: Awaited<ReturnType<typeof twoOrgs>>;

beforeEach(async () => {
  t = await twoOrgs(db());
  actAs(null);
});

async function go(orgId: string, udid: string) {
  const res = await GET(new Request(`http://localhost/go/device/${orgId}/${encodeURIComponent(udid)}`), { params: Promise.resolve({ orgId, udid }) });
  return { status: res.status, location: res.headers.get("location") };
}

describe("device links from webhook messages", () => {
  it("redirects a member to the device page; another org's owner, unknown devices and garbage get 404", async () => {
    const [device] = await insertDevices(db(), t.orgA.id, 1, [], "phone");
    actAs(t.memberA.id);
    expect(await go(String(t.orgA.id), device.udid)).toEqual({ status: 303, location: `http://localhost/orgs/org-a/devices/${device.id}` });
    expect((await go(String(t.orgA.id), "no-such-device")).status).toBe(404);
    actAs(t.ownerB.id);
    expect((await go(String(t.orgA.id), device.udid)).status).toBe(404);
    // org B's own id with org A's device: not found either
    expect((await go(String(t.orgB.id), device.udid)).status).toBe(404);
    for (const [org, udid] of [["0", "x"], ["-1", "x"], ["abc", "x"], ["99999999999", "x"], [String(t.orgA.id), "x\u0000"], [String(t.orgA.id), "y".repeat(10_000)]]) {
      expect((await go(org, udid)).status, `${org}/${udid.slice(0, 10)}`).toBe(404);
    }
  });

  it("sends the signed-out to sign in, then back", async () => {
    const r = await go(String(t.orgA.id), "phone-0000");
    expect(r.status).toBe(303);
    expect(r.location).toBe(`http://localhost/sign-in?next=${encodeURIComponent(`/go/device/${t.orgA.id}/phone-0000`)}`);
  });
});
