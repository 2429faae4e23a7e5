import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, expect, test } from "vitest";
import { scanForSecrets, secretsOf } from "./secretScan.ts";

const env = {
  NEXTAUTH_SECRET: "4f1c0e5b9a7d4c2e8f3a6b1d0c9e7f5a4b3c2d1e0f9a8b7c",
  DATABASE_URL: "postgresql://qualmeet:s3cret-db-password@db.internal:5432/qualmeet",
  REDIS_URL: "redis://cache.internal:6379",
  TURN_SECRET: "turn-shared-secret-0123456789",
};
let dir = "";
afterEach(() => rm(dir, { recursive: true, force: true }));

async function bundle(files: Record<string, string>): Promise<string> {
  dir = await mkdtemp(path.join(os.tmpdir(), "bundle-"));
  for (const [name, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), text);
  }
  return dir;
}

test("a clean bundle has no findings", async () => {
  const clean = await bundle({ "chunks/app.js": 'const url="https://example.com";fetch("/api/trpc")', "css/app.css": "body{}" });
  expect(await scanForSecrets(clean, secretsOf(env))).toEqual([]);
});

test("each secret is found however the bundler wrote it, with the file it is in", async () => {
  const leaky = await bundle({
    "chunks/a.js": `e.env={NEXT_PUBLIC_X:"${env.NEXTAUTH_SECRET}"}`,
    "chunks/b.js": `const t=${JSON.stringify(env.TURN_SECRET)}`,
    "chunks/nested/c.js": `const r="${env.REDIS_URL.replaceAll("/", "\\/")}"`,
    "chunks/d.js": `atob("${Buffer.from("s3cret-db-password").toString("base64")}")`,
  });
  const found = await scanForSecrets(leaky, secretsOf(env));
  expect(found).toEqual(
    expect.arrayContaining([
      { name: "NEXTAUTH_SECRET", file: "chunks/a.js" },
      { name: "TURN_SECRET", file: "chunks/b.js" },
      { name: "REDIS_URL", file: path.join("chunks", "nested", "c.js") },
      { name: "DATABASE_URL's password", file: "chunks/d.js" },
    ]),
  );
});

test("a database URL with a password is found even when it is not this configuration's", async () => {
  const leaky = await bundle({ "chunks/a.js": 'const d="postgres://app:hunter22@prod-db:5432/app"' });
  expect(await scanForSecrets(leaky, secretsOf(env))).toEqual([{ name: "a database or Redis URL with a password", file: "chunks/a.js" }]);
});
