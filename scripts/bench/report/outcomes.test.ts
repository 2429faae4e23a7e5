import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, expect, test } from "vitest";
import { loadOutcome, runBenchScript, saveOutcome } from "./outcomes.ts";

const result = { bench: "ok", machine: { cpus: 2, model: "x", memGb: 1, kernel: "Linux" }, date: "2026-12-04T10:00:00.000Z", results: { n: 1 }, charts: [] };
let dir = "";
afterEach(() => rm(dir, { recursive: true, force: true }));

/** A project whose package.json has the given bench:* scripts, each `node <name>.mjs` with that code. */
async function project(scripts: Record<string, string>): Promise<string> {
  dir = await mkdtemp(path.join(os.tmpdir(), "bench-runner-"));
  for (const [name, code] of Object.entries(scripts)) await writeFile(path.join(dir, `${name}.mjs`), code);
  const manifest = { name: "bench-runner-test", private: true, scripts: Object.fromEntries(Object.keys(scripts).map((name) => [`bench:${name}`, `node ${name}.mjs`])) };
  await writeFile(path.join(dir, "package.json"), JSON.stringify(manifest));
  return dir;
}

test("a script's last stdout line is its outcome, and a failing script's error and stderr are kept", async () => {
  const root = await project({
    ok: `console.log("progress"); console.log(${JSON.stringify(JSON.stringify(result))})`,
    crashes: `console.error("could not start \\x1b[2mChromium\\x1b[22m"); process.exit(3)`,
  });
  const ok = await runBenchScript(root, "ok", ["--quick"], 60_000);
  expect(ok).toMatchObject({ name: "ok", ok: true, result, args: ["--quick"] });
  const crashed = await runBenchScript(root, "crashes", [], 60_000);
  expect(crashed).toMatchObject({ name: "crashes", ok: false, error: "exited with code 3", exitCode: 3 });
  expect(crashed.ok || crashed.stderrTail).toContain("could not start Chromium");

  // saved and read back: a later --only run reports both as they were
  const resultsDir = path.join(root, "results");
  await saveOutcome(resultsDir, ok);
  await saveOutcome(resultsDir, crashed);
  expect(await loadOutcome(resultsDir, "ok")).toMatchObject({ ok: true, result, args: ["--quick"] });
  expect(await loadOutcome(resultsDir, "crashes")).toMatchObject({ ok: false, error: "exited with code 3" });
  expect(await loadOutcome(resultsDir, "never-ran")).toBeNull();
});

test("a script that runs past the timeout is stopped and reported as such", async () => {
  const root = await project({ hangs: "setTimeout(() => {}, 60000)" });
  const outcome = await runBenchScript(root, "hangs", [], 1000);
  expect(outcome).toMatchObject({ ok: false, error: "stopped after 1 s without finishing" });
});
