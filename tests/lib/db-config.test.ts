import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase } from "@/db/client";

// The pool settings are read when a PostgreSQL handle opens; a bad value is refused by name before any connection.
describe("database pool settings", () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const name of ["DATABASE_POOL_SIZE", "DATABASE_POOL_IDLE_TIMEOUT_MS", "DATABASE_CONNECT_TIMEOUT_MS"]) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });

  for (const name of ["DATABASE_POOL_SIZE", "DATABASE_POOL_IDLE_TIMEOUT_MS", "DATABASE_CONNECT_TIMEOUT_MS"]) {
    it(`refuses a ${name} that is not a non-negative number, naming it`, async () => {
      process.env[name] = "soon";
      await expect(openDatabase("postgres://127.0.0.1:1/never")).rejects.toThrow(`${name} must be a non-negative number, got "soon"`);
    });
  }

  it("accepts 0 for the idle timeout (keep connections) without connecting", async () => {
    process.env.DATABASE_POOL_IDLE_TIMEOUT_MS = "0";
    const handle = await openDatabase("postgres://127.0.0.1:1/never");
    expect(handle.driver).toBe("postgres");
    await handle.close();
  });

  it.runIf(/^postgres(ql)?:\/\//.test(process.env.DATABASE_URL ?? ""))(
    "idle pooled connections do not keep a process alive (a script that forgets to close its handle still exits)",
    async () => {
      const root = path.resolve(__dirname, "../..");
      const started = Date.now();
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [path.join(root, "node_modules/tsx/dist/cli.mjs"), "--conditions=react-server", path.join(__dirname, "fixtures/unclosed-handle.ts")],
        { cwd: root, env: process.env, timeout: 30_000 },
      );
      expect(stdout).toContain("queried");
      expect(Date.now() - started).toBeLessThan(20_000); // the idle timeout is 10 minutes
    },
    40_000,
  );
});
