// The drift check CI relies on: schema.prisma and the committed migrations must describe the same database.
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { repoRoot } from "../tests/harness/paths.ts";

function check(schema?: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/prisma.ts", "check", ...(schema ? [schema] : [])], {
      cwd: repoRoot,
      env: process.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("error", reject);
    child.on("exit", (code) => resolve({ code: code ?? 1, output }));
  });
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "qualmeet-drift-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

test("schema.prisma and the committed migrations agree", async () => {
  const result = await check();
  expect(result.output).toContain("No difference detected");
  expect(result.code).toBe(0);
});

test("a schema change without a migration is caught", async () => {
  const schema = await readFile(path.join(repoRoot, "prisma/schema.prisma"), "utf8");
  const drifted = path.join(dir, "schema.prisma");
  await writeFile(drifted, schema.replace("model Block {", "model Block {\n  note String?"));
  const result = await check(drifted);
  expect(result.code).toBe(2);
  expect(result.output).toMatch(/Block/);
});
