// Builds the package npm publishes, in dist/ (`npm publish packages/client/dist`): index.js (browser and Node) and
// node.js (Node, with `ws`) as ES modules, their type declarations, this README and a package.json naming them. In
// the workspace the package exports its source, like every other one. The routers' types are imported from
// @qualmeet/api as types only: the bundle holds none of the server's code (src/bundle.test.ts checks the output).
import { spawn } from "node:child_process";
import { copyFile, readFile, rm, writeFile } from "node:fs/promises";
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
  // dependencies stay imports; an import of a workspace package stays one too, so the bundle test sees it; Node's
  // own modules are for the Node entry's bot helper (src/bot/)
  external: ["@trpc/client", "@trpc/server", "superjson", "ws", "@qualmeet/*", "node:*"],
  logLevel: "warning",
});

const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
const code = await new Promise<number | null>((resolve, reject) => {
  const child = spawn(process.execPath, [tsc, "-p", path.join(root, "tsconfig.build.json")], { stdio: "inherit" });
  child.on("error", reject);
  child.on("exit", resolve);
});
if (code !== 0) throw new Error(`type declarations failed (tsc exit ${code})`);

const source = JSON.parse(await readFile(path.join(root, "package.json"), "utf8")) as Record<string, unknown>;
const entry = (name: string) => ({ types: `./${name}.d.ts`, default: `./${name}.js` });
const manifest = {
  name: source.name,
  version: source.version,
  description: source.description,
  type: "module",
  sideEffects: false,
  exports: { ".": entry("index"), "./node": entry("node"), "./package.json": "./package.json" },
  types: "./index.d.ts",
  engines: { node: ">=22" },
  dependencies: source.dependencies,
  peerDependencies: source.peerDependencies,
  peerDependenciesMeta: source.peerDependenciesMeta,
};
await writeFile(path.join(dist, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
await copyFile(path.join(root, "README.md"), path.join(dist, "README.md"));
