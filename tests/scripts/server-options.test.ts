import { describe, expect, it } from "vitest";
import { parseOptions } from "@/scripts/server";

// `npm start` (scripts/server.ts) takes the options `next start` takes for where to listen; anything else is a
// clear start-up error, not a server on an unexpected port.
describe("production server options", () => {
  it("reads -p/--port, -H/--hostname and --keepAliveTimeout as next start does, PORT and HOSTNAME otherwise", () => {
    expect(parseOptions([], {})).toEqual({ port: 3000, hostname: undefined, keepAliveTimeout: undefined });
    expect(parseOptions([], { PORT: "8080", HOSTNAME: "0.0.0.0" })).toEqual({ port: 8080, hostname: "0.0.0.0", keepAliveTimeout: undefined });
    expect(parseOptions(["-p", "3100", "-H", "127.0.0.1"], { PORT: "8080" })).toEqual({ port: 3100, hostname: "127.0.0.1", keepAliveTimeout: undefined });
    expect(parseOptions(["--port=4000", "--hostname=::", "--keepAliveTimeout", "65000"], {})).toEqual({ port: 4000, hostname: "::", keepAliveTimeout: 65000 });
  });

  it("refuses a bad port, a missing value and an unknown option", () => {
    expect(() => parseOptions(["-p", "http"], {})).toThrow(/Invalid port "http"/);
    expect(() => parseOptions(["-p", "70000"], {})).toThrow(/Invalid port/);
    expect(() => parseOptions([], { PORT: "-1" })).toThrow(/Invalid port/);
    expect(() => parseOptions(["-p"], {})).toThrow(/-p needs a value/);
    expect(() => parseOptions(["-H", "-p", "3000"], {})).toThrow(/-H needs a value/);
    expect(() => parseOptions(["--turbo"], {})).toThrow(/Unknown option --turbo/);
    expect(() => parseOptions(["--keepAliveTimeout", "soon"], {})).toThrow(/Invalid --keepAliveTimeout/);
  });
});
