// A wrong environment value stops `npm start` and a realtime node before anything starts, naming the variable.
import { spawn } from "node:child_process";
import { expect, test } from "vitest";
import { repoRoot } from "../tests/harness/paths.ts";

function run(script: string, args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", script, ...args], { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    // were the check gone, `npm start` would go on to build and serve: stop it rather than wait for that
    const stuck = setTimeout(() => child.kill("SIGTERM"), 30_000);
    child.on("error", reject);
    child.on("exit", (code) => {
      clearTimeout(stuck);
      resolve({ code, stdout, stderr });
    });
  });
}

test("npm start with a bad value exits at once, naming every bad variable and what it expects", async () => {
  // the test's own PostgreSQL and Redis: nothing embedded would start even if the check were missing
  const { code, stdout, stderr } = await run("scripts/start.ts", [], { PORT: "abc", WS_PING_MS: "-1" });
  expect(code).toBe(1);
  expect(stderr).toContain("qualmeet: invalid configuration:");
  expect(stderr).toContain("PORT: a port number (1-65535), got 'abc'");
  expect(stderr).toContain("WS_PING_MS: a whole number of milliseconds above 0, got '-1'");
  // nothing was started: not even the first step's line
  expect(stdout).not.toContain("Node v");
});

test("a realtime node with a bad value or a bad --port exits before it listens", async () => {
  const badPing = await run("apps/realtime/src/main.ts", ["--port", "3999"], { WS_PING_MS: "-1" });
  expect(badPing.code).toBe(1);
  expect(badPing.stderr).toContain("realtime: invalid configuration:\n  WS_PING_MS: a whole number of milliseconds above 0, got '-1'");
  expect(badPing.stdout).not.toContain("listening");

  const badPort = await run("apps/realtime/src/main.ts", ["--port", "abc"], {});
  expect(badPort.code).toBe(1);
  expect(badPort.stderr).toContain("REALTIME_PORT: a port number (1-65535), got 'abc'");
});
