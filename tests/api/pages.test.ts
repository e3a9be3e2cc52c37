// The portal pages of this feature: Settings → API keys, Events (+ one event) and the API reference, called as Next
// calls them. Org B's owner finds nothing of org A; members read the key list without any secret.
import { describe, expect, it } from "vitest";
import ApiKeysPage from "@/app/orgs/[slug]/settings/api-keys/page";
import EventsPage from "@/app/orgs/[slug]/events/page";
import EventPage from "@/app/orgs/[slug]/events/[id]/page";
import ApiReferencePage from "@/app/orgs/[slug]/api-reference/page";
import { createDevice } from "@/lib/devices/admin";
import { listEvents } from "@/lib/delivery/event-log";
import { actAs } from "../support/session";
import { useTestDatabase } from "../support/db";
import { orgsWithKeys } from "./helpers";

const db = useTestDatabase();

/** Every string and prop value in a rendered React tree (what reaches the browser). */
function text(node: unknown, out: string[] = [], seen = new Set<unknown>()): string {
  if (node == null || typeof node === "boolean") return out.join(" ");
  if (typeof node === "string" || typeof node === "number") {
    out.push(String(node));
    return out.join(" ");
  }
  if (typeof node !== "object" || seen.has(node)) return out.join(" ");
  seen.add(node);
  if (Array.isArray(node)) for (const n of node) text(n, out, seen);
  else {
    const el = node as { props?: Record<string, unknown> };
    for (const v of Object.values(el.props ?? (node as Record<string, unknown>))) text(typeof v === "function" ? null : v, out, seen);
  }
  return out.join(" ");
}

async function render(page: (props: never) => unknown, params: Record<string, string>, searchParams: Record<string, string> = {}) {
  try {
    return { kind: "rendered", text: text(await page({ params: Promise.resolve(params), searchParams: Promise.resolve(searchParams) } as never)) };
  } catch (err) {
    const digest = String((err as { digest?: string }).digest ?? "");
    if (digest.includes("404")) return { kind: "not-found", text: "" };
    throw err;
  }
}

describe("portal pages", () => {
  it("API keys: members see names and prefixes, never a key; org B's owner is not found", async () => {
    const cast = await orgsWithKeys(db());
    actAs(cast.memberA.id);
    const page = await render(ApiKeysPage, { slug: "org-a" });
    expect(page.kind).toBe("rendered");
    expect(page.text).toContain("Line A");
    expect(page.text).toContain(cast.writeA.key.prefix);
    expect(page.text).not.toContain(cast.writeA.secret);
    actAs(cast.ownerB.id);
    expect((await render(ApiKeysPage, { slug: "org-a" })).kind).toBe("not-found");
  });

  it("Events: lists and searches org A's events, one event with its deliveries; org B sees none of them", async () => {
    const cast = await orgsWithKeys(db());
    await createDevice(db(), { orgId: cast.orgA.id, userId: cast.ownerA.id }, { udid: "evt-dev-1", name: "Marker device", tags: [], offlineAfterSeconds: 300 });
    const [event] = (await listEvents(db(), cast.orgA.id, { limit: 5, type: "device.created" })).events;
    actAs(cast.memberA.id);
    const list = await render(EventsPage, { slug: "org-a" }, { q: "evt-dev" });
    expect(list.text).toContain("Marker device");
    const none = await render(EventsPage, { slug: "org-a" }, { q: "nothing-like-this" });
    expect(none.text).not.toContain("Marker device");
    const one = await render(EventPage, { slug: "org-a", id: event.id });
    expect(one.text).toContain("evt-dev-1");
    actAs(cast.ownerB.id);
    expect((await render(EventPage, { slug: "org-b", id: event.id })).kind).toBe("not-found");
    expect((await render(EventsPage, { slug: "org-b" }, {})).text).not.toContain("Marker device");
    expect((await render(EventPage, { slug: "org-b", id: "../../etc" })).kind).toBe("not-found");
  });

  it("API reference: every operation with a curl example", async () => {
    const cast = await orgsWithKeys(db());
    actAs(cast.memberA.id);
    const page = await render(ApiReferencePage, { slug: "org-a" });
    expect(page.kind).toBe("rendered");
    expect(page.text).toContain("bulkCreateDevices");
    expect(page.text).toContain("Reveal the signing secret");
  });
});
