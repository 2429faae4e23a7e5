// `npm start` without TURN_URLS/TURN_SECRET runs a coturn of its own: the servers get its URLs and secret, it
// accepts the credentials the product issues with them, its secret file is private, and Ctrl-C stops it.
import { spawn } from "node:child_process";
import { stat, readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, expect, test, vi } from "vitest";
import { Redis } from "ioredis";
import { issuedTurnCredential, turnAllocate } from "../tests/harness/coturn.ts";
import { repoRoot } from "../tests/harness/paths.ts";
import { buildTestWeb } from "../tests/harness/testBuild.ts";
import { isPortOpen, freePort } from "./lib/ports.ts";

// npm start builds the product's web app (no test hooks) in place of the tests' build: the files after this one need theirs
afterAll(buildTestWeb, 600_000);

test("npm start runs coturn, gives its URLs to the servers, and stops it", { timeout: 300_000 }, async () => {
  const [port, realtimePort] = [await freePort(), await freePort()];
  // the test's own PostgreSQL and Redis (global setup); no media workers: TURN is what this is about
  const env = { ...process.env, PORT: String(port), REALTIME_PORT: String(realtimePort), MEDIA_WORKERS: "0", TURN_URLS: "", TURN_SECRET: "" };
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts"], { cwd: repoRoot, env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  try {
    await vi.waitFor(
      () => {
        if (child.exitCode !== null) throw new Error(`npm start exited:\n${output}`);
        expect(output).toContain("qualmeet: ready");
      },
      { timeout: 240_000, interval: 500 },
    );
    const urls = output.match(/qualmeet: coturn (\S+), (\S+)/)!.slice(1);
    expect(urls[0]).toMatch(/^turn:[\d.]+:3478\?transport=udp$/);
    const host = new URL(urls[0]!.replace("turn:", "turn://")).hostname;
    // the realtime node got them: it says so at start instead of "TURN is not configured"
    expect(output).toContain("realtime: TURN is configured");
    expect(output).not.toContain("TURN is not configured");

    const secretFile = path.join(repoRoot, ".data/turn-secret");
    expect((await stat(secretFile)).mode & 0o777).toBe(0o600);
    const secret = (await readFile(secretFile, "utf8")).trim();
    const redis = new Redis(process.env.REDIS_URL!);
    const credential = await issuedTurnCredential(redis, `start-${Date.now()}`, { urls, secret }).finally(() => redis.disconnect());
    const allocation = await turnAllocate({ host, port: 3478 }, "udp", credential);
    expect(allocation.ok, allocation.output).toBe(true);

    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(await isPortOpen(3478, host)).toBe(false);
  } finally {
    if (child.exitCode === null) child.kill("SIGTERM");
  }
});
