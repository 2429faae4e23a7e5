// Production runs the realtime node compiled (apps/realtime/dist/main.js) with plain node, and `npm start`'s build
// step (buildRealtime: turbo, cached) rebuilds it when a source changed.
import { randomUUID } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, expect, test } from "vitest";
import { buildRealtime, REALTIME_ENTRY, REALTIME_NODE_ENV, REALTIME_NODE_FLAGS } from "./lib/serverBuild.ts";
import { startRealtime, type RealtimeServer } from "../tests/harness/servers.ts";
import { repoRoot } from "../tests/harness/paths.ts";

let node: RealtimeServer | undefined;
afterAll(() => node?.stop());

test("the built realtime node starts with plain node (no TypeScript loader) and answers /healthz", async () => {
  await buildRealtime(repoRoot, { quiet: true });
  node = await startRealtime();
  // the process is `node FLAGS apps/realtime/dist/main.js --port N`: only V8 flags before the script, no loader in NODE_OPTIONS
  const [executable, ...args] = readFileSync(`/proc/${node.process.child.pid}/cmdline`, "utf8").split("\0").filter(Boolean);
  expect(executable).toBe(process.execPath);
  expect(args).toEqual([...REALTIME_NODE_FLAGS, path.join(repoRoot, REALTIME_ENTRY), "--port", String(node.port)]);
  const environ = readFileSync(`/proc/${node.process.child.pid}/environ`, "utf8").split("\0");
  expect(environ.find((entry) => entry.startsWith("NODE_OPTIONS=")) ?? "").not.toMatch(/tsx/);
  // and with its malloc settings (what an idle node's memory was measured with); glibc parses the variable where it
  // stands, so /proc shows it cut at the first ":"
  const tunables = environ.find((entry) => entry.startsWith("GLIBC_TUNABLES="));
  expect(tunables).toBeDefined();
  expect(`GLIBC_TUNABLES=${REALTIME_NODE_ENV.GLIBC_TUNABLES}`.startsWith(tunables!)).toBe(true);
  const res = await fetch(`${node.httpUrl}/healthz`);
  expect(res.status).toBe(200);
  expect(await res.json()).toMatchObject({ status: "ok" });
});

test("the build step rebuilds the realtime node after a source change, and again after it is undone", async () => {
  const source = path.join(repoRoot, "apps/realtime/src/main.ts");
  const compiled = path.join(repoRoot, REALTIME_ENTRY);
  const original = readFileSync(source, "utf8");
  // an export of the entry module stays in the bundle: the marker shows which source the build holds
  const marker = `build-probe-${randomUUID()}`;
  try {
    writeFileSync(source, `${original}export const buildProbe = "${marker}";\n`);
    await buildRealtime(repoRoot, { quiet: true });
    expect(readFileSync(compiled, "utf8")).toContain(marker);
  } finally {
    writeFileSync(source, original);
  }
  await buildRealtime(repoRoot, { quiet: true });
  expect(readFileSync(compiled, "utf8")).not.toContain(marker);
});
