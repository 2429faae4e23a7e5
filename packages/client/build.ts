// Builds what npm publishes: dist/index.js (browser and Node) and dist/node.js (Node, with `ws`) as ES modules, and
// their type declarations. The routers' types are imported from @qualmeet/api as types only: the bundle holds none
// of the server's code (src/bundle.test.ts checks the output).
import { spawn } from "node:child_process";
import { rm } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { build } from "esbuild";

const root = import.meta.dirname;
const dist = path.join(root, "dist");

await rm(dist, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { index: "src/index.ts", node: "src/node.ts" },
  outdir: dist,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "neutral",
  target: "es2022",
  sourcemap: true,
  // dependencies stay imports; an import of a workspace package stays one too, so the bundle test sees it
  external: ["@trpc/client", "@trpc/server", "superjson", "ws", "@qualmeet/*"],
  logLevel: "warning",
});

const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
const code = await new Promise<number | null>((resolve, reject) => {
  const child = spawn(process.execPath, [tsc, "-p", path.join(root, "tsconfig.build.json")], { stdio: "inherit" });
  child.on("error", reject);
  child.on("exit", resolve);
});
if (code !== 0) throw new Error(`type declarations failed (tsc exit ${code})`);
