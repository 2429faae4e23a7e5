// The product's web build carries no test hooks: `window.__qualmeet` (a meeting's peers, stats and topology)
// and `window.__listenTogether` exist only in the build tests make (buildWeb's testHooks). This file builds
// the product's variant (as `npm start` does), reads its browser bundle, and puts the tests' build back.
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, expect, test } from "vitest";
import { buildWeb } from "../../../scripts/lib/webBuild.ts";
import { buildTestWeb } from "../../../tests/harness/testBuild.ts";
import { repoRoot } from "../../../tests/harness/paths.ts";

/** a hook's name (`__qualmeetDebug` is a switch a person sets for console logs, not a hook) */
const HOOK = /__qualmeet(?!Debug)|__listenTogether/;

/** The browser bundle's files that name a hook. */
async function filesWithHooks(): Promise<string[]> {
  const dir = path.join(repoRoot, "apps/web/.next/static");
  const files = (await readdir(dir, { recursive: true })).filter((f) => f.endsWith(".js"));
  expect(files.length).toBeGreaterThan(0);
  const named = await Promise.all(files.map(async (f) => (HOOK.test(await readFile(path.join(dir, f), "utf8")) ? f : null)));
  return named.filter((f) => f !== null);
}

afterAll(async () => {
  // the tests that follow drive the hooks: their build comes back (from turbo's cache)
  await buildTestWeb();
}, 600_000);

test("the tests' build has the hooks; the product's build (npm start) has none", async () => {
  expect(await filesWithHooks()).not.toEqual([]);
  await buildWeb(repoRoot, { quiet: true });
  expect(await filesWithHooks()).toEqual([]);
}, 600_000);
