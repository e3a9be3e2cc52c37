import { describe, expect, it } from "vitest";
import { describeBody, describeResponse, formatBytes, sentAgo } from "@/lib/inbox/body-view";

describe("describeBody", () => {
  it("pretty-prints JSON", () => {
    expect(describeBody({ body: '{"a":1,"b":[true]}', bodyEncoding: "utf8", size: 18, contentType: "application/json" })).toEqual({
      kind: "json",
      text: '{\n  "a": 1,\n  "b": [\n    true\n  ]\n}',
    });
  });

  it("decodes a form body into rows", () => {
    const view = describeBody({
      body: "deviceUdid=ce09&data%5Bstatus%5D=offline&note=two+words",
      bodyEncoding: "utf8",
      size: 55,
      contentType: "application/x-www-form-urlencoded; charset=utf-8",
    });
    expect(view).toEqual({ kind: "form", rows: [["deviceUdid", "ce09"], ["data[status]", "offline"], ["note", "two words"]] });
  });

  it("shows binary as size and a base64 excerpt", () => {
    const body = Buffer.alloc(1000, 0xff).toString("base64");
    const view = describeBody({ body, bodyEncoding: "base64", size: 1000 });
    expect(view).toMatchObject({ kind: "binary", size: 1000, more: true });
    expect(view.kind === "binary" && view.excerpt).toBe(body.slice(0, 240));
  });

  it("keeps broken JSON, plain text and cut bodies as text", () => {
    expect(describeBody({ body: "{oops", bodyEncoding: "utf8", size: 5, contentType: "application/json" }).kind).toBe("text");
    expect(describeBody({ body: "hello", bodyEncoding: "utf8", size: 5, contentType: "text/plain" }).kind).toBe("text");
    expect(describeBody({ body: '{"a":', bodyEncoding: "utf8", size: 9000, truncated: true }).kind).toBe("text");
    expect(describeBody({ body: "", bodyEncoding: "utf8", size: 0 }).kind).toBe("empty");
  });
});

describe("labels", () => {
  it("formats sizes, ages and responses", () => {
    expect(formatBytes(812)).toBe("812 B");
    expect(formatBytes(256 * 1024)).toBe("256 KB");
    expect(sentAgo(1000, 1003_400)).toBe("sent 3 s ago");
    expect(sentAgo(1000, 1000_000 + 240_000)).toBe("sent 4 min ago");
    expect(sentAgo(1010, 1000_000)).toMatch(/^sent 10 s in the future/);
    expect(describeResponse(200, 0)).toBe("Answers 200 at once");
    expect(describeResponse(503, 2500)).toBe("Answers 503 after 2.5 s");
  });
});
