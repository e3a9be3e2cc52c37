// The shared UI patterns of docs/ui.md, rendered to HTML as the server sends them.
import { createElement as h } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { Breadcrumb } from "@/components/ui/breadcrumb";
import { EmptyState } from "@/components/ui/empty-state";
import { formatRelative, formatUtc, toDate } from "@/components/ui/format-time";
import { PageHeader } from "@/components/ui/page-header";
import { Pagination } from "@/components/ui/pagination";
import { Timestamp } from "@/components/ui/timestamp";
import { Truncate, truncateWords } from "@/components/ui/truncate";

const html = (el: Parameters<typeof renderToStaticMarkup>[0]) => renderToStaticMarkup(el);

describe("truncateWords", () => {
  it("cuts at a word boundary, never mid-word", () => {
    const error = "receiver answered HTTP 503 Service Unavailable after 10000 ms";
    const short = truncateWords(error, 24);
    expect(short).toBe("receiver answered HTTP…");
    expect(short.length).toBeLessThanOrEqual(24);
  });
  it("leaves short text alone and collapses whitespace", () => {
    expect(truncateWords("  connection   refused ", 40)).toBe("connection refused");
  });
  it("cuts a single long word (a URL) inside the word rather than showing nothing", () => {
    const url = "https://example.com/" + "a".repeat(100);
    const short = truncateWords(url, 30);
    expect(short.endsWith("…")).toBe(true);
    expect(short.length).toBe(30);
  });
  it("drops trailing punctuation before the ellipsis", () => {
    expect(truncateWords("timeout, then connection reset by peer", 10)).toBe("timeout…");
  });
  it("handles hostile input: empty, only spaces, emoji, a tiny limit", () => {
    expect(truncateWords("", 10)).toBe("");
    expect(truncateWords("     ", 10)).toBe("");
    expect(truncateWords("🙂🙂🙂 🙂🙂🙂 🙂🙂🙂", 8).endsWith("…")).toBe(true);
    expect(truncateWords("abc def", 1)).toBe("a…");
  });
});

describe("<Truncate>", () => {
  it("renders short text as is, with no tab stop", () => {
    const out = html(h(Truncate, { text: "connection refused", max: 40 }));
    expect(out).toBe("<span>connection refused</span>");
  });
  it("keeps the full text for screen readers and makes the cut text focusable", () => {
    const out = html(h(Truncate, { text: "receiver answered HTTP 503 Service Unavailable", max: 24 }));
    expect(out).toContain('tabindex="0"');
    expect(out).toContain('<span aria-hidden="true">receiver answered HTTP…</span>');
    expect(out).toContain('<span class="sr-only">receiver answered HTTP 503 Service Unavailable</span>');
  });
  it("is not focusable inside a link", () => {
    expect(html(h(Truncate, { text: "a b c d e f g h", max: 5, focusable: false }))).not.toContain("tabindex");
  });
});

describe("<Timestamp>", () => {
  const at = new Date("2026-12-02T18:28:30Z");
  it("renders a <time dateTime> with relative text on the server, focusable for its hint", () => {
    const out = html(h(Timestamp, { value: at.toISOString() }));
    expect(out).toContain('<time dateTime="2026-12-02T18:28:30.000Z">');
    expect(out).toContain('tabindex="0"');
    expect(out).toMatch(/ago|in |now/);
  });
  it("absolute mode renders UTC on the server (the viewer's zone is unknown there; stable for hydration)", () => {
    expect(html(h(Timestamp, { value: at, mode: "absolute" }))).toContain("2 Dec 2026, 18:28:30 UTC");
  });
  it("shows a dash for a missing or invalid value", () => {
    expect(html(h(Timestamp, { value: null }))).toContain("—");
    expect(html(h(Timestamp, { value: "not a date", empty: "Never" }))).toContain("Never");
  });
  it("says \"Retrying now\" for a due retry instead of \"Next attempt just now\", and prefixes a future one", () => {
    const due = html(h(Timestamp, { value: new Date(Date.now() - 1000), prefix: "Next attempt", dueText: "Retrying now" }));
    expect(due).toContain("Retrying now");
    expect(due).not.toContain("just now");
    const overdue = html(h(Timestamp, { value: new Date(Date.now() - 120_000), prefix: "Next attempt", dueText: "Retrying now" }));
    expect(overdue).toContain("Retrying now");
    const later = html(h(Timestamp, { value: new Date(Date.now() + 4 * 60_000 + 30_000), prefix: "Next attempt", dueText: "Retrying now" }));
    expect(later).toContain("Next attempt in 5 minutes");
  });
});

describe("format-time", () => {
  const now = new Date("2026-12-02T18:00:00Z");
  it("says just now / now within 5 s, and relative text beyond", () => {
    expect(formatRelative(new Date(now.getTime() - 2000), now)).toBe("just now");
    expect(formatRelative(new Date(now.getTime() + 2000), now)).toBe("now");
    expect(formatRelative(new Date(now.getTime() - 3 * 60_000), now)).toBe("3 minutes ago");
    expect(formatRelative(new Date(now.getTime() + 26 * 3600_000), now)).toBe("tomorrow");
  });
  it("formats UTC the same on every machine", () => {
    expect(formatUtc(now)).toBe("2 Dec 2026, 18:00:00 UTC");
    expect(toDate(Number.NaN)).toBeNull();
    expect(toDate(now.getTime())?.toISOString()).toBe(now.toISOString());
  });
});

describe("<Breadcrumb> and <PageHeader>", () => {
  it("is a nav named Breadcrumb whose last item is the current page, not a link", () => {
    const out = html(h(Breadcrumb, { items: [{ label: "Webhooks", href: "/orgs/a/webhooks" }, { label: "Flaky <endpoint>" }] }));
    expect(out).toContain('<nav aria-label="Breadcrumb"');
    expect(out).toContain('href="/orgs/a/webhooks"');
    expect(out).toContain('<span aria-current="page">Flaky &lt;endpoint&gt;</span>');
    expect(out.match(/<a /g)).toHaveLength(1);
  });
  it("keeps the status badge out of the h1 (the heading's name is the title alone)", () => {
    const out = html(h(PageHeader, { title: "Preview hook", status: h("span", null, "Active") }));
    expect(out).toMatch(/<h1[^>]*>Preview hook<\/h1>/);
    expect(out).toContain("Active");
  });
});

describe("<Pagination>", () => {
  it("renders nothing when everything fits on one page and there is no summary", () => {
    expect(html(h(Pagination, { previous: null, next: null }))).toBe("");
  });
  it("shows only the summary, without Previous/Next, on a single page", () => {
    const out = html(h(Pagination, { previous: null, next: null, summary: "3 devices" }));
    expect(out).toContain("3 devices");
    expect(out).not.toContain("Previous");
    expect(out).not.toContain("Next");
  });
  it("shows both buttons once there is another page, the missing one disabled", () => {
    const out = html(h(Pagination, { previous: null, next: { href: "/x?after=1" } }));
    expect(out).toContain('aria-label="Pagination"');
    expect(out).toContain('aria-disabled="true"');
    expect(out).toContain('href="/x?after=1"');
  });
});

describe("<EmptyState>", () => {
  it("says what is missing, what to do next, and offers the action", () => {
    const out = html(h(EmptyState, { title: "No webhooks yet", text: "Create one.", action: h("a", { href: "/new" }, "Create Webhook") }));
    expect(out).toContain("No webhooks yet");
    expect(out).toContain("Create one.");
    expect(out).toContain("Create Webhook");
  });
});
