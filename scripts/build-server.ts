// A server's production build: `node --import tsx ../../scripts/build-server.ts ENTRY.ts` (an app's `build` task,
// run by turbo, which caches it) bundles ENTRY and the workspace packages it imports (TypeScript source) into
// dist/ENTRY.js, so production runs plain `node dist/ENTRY.js` without transpiling at run time (no tsx loader:
// less memory, faster start). Packages from node_modules stay imports: some find files next to themselves at run
// time (mediasoup's worker, Prisma's query compiler, native addons) and Next cannot be bundled.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { build, type Plugin } from "esbuild";

const entry = process.argv[2];
if (!entry) throw new Error("usage: build-server.ts ENTRY.ts (from the app's folder)");
const outfile = path.join("dist", `${path.basename(entry, ".ts")}.js`);
const started = performance.now();
await build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node24",
  sourcemap: "linked",
  logLevel: "warning",
  // bundled CommonJS code calling require() needs one in an ES module
  banner: { js: 'import { createRequire as createRequireForBundle } from "node:module"; const require = createRequireForBundle(import.meta.url);' },
  plugins: [
    prismaCompilerFromFile(),
    {
      name: "node-modules-external",
      setup(bundler) {
        // bare imports stay imports, except the workspace's own packages, whose exports are TypeScript source
        bundler.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith("@qualmeet/") ? undefined : { path: args.path, external: true }));
      },
    },
  ],
});
/**
 * Prisma's generated client imports its query compiler (3.4 MB of WebAssembly) as a 4.6 MB base64 string from a
 * module that stays loaded for good: the string, its module's source and the decoding cost a node about 22 MB of
 * memory for as long as it runs. The bundle reads the binary from a file beside it instead (written here, decoded
 * once at build time); the runtime and the compiler are the same. A Prisma upgrade that changes the generated
 * lines fails the build here rather than bundling the old way unnoticed.
 */
function prismaCompilerFromFile(): Plugin {
  const wasmImport =
    /const \{ wasm \} = await import\("(@prisma\/client\/runtime\/(query_compiler_\w+\.postgresql)\.wasm-base64\.mjs)"\)\s*return await decodeBase64AsWasm\(wasm\)/;
  return {
    name: "prisma-compiler-from-file",
    setup(bundler) {
      bundler.onLoad({ filter: /[\\/]generated[\\/]internal[\\/]class\.ts$/ }, async (args) => {
        const source = await readFile(args.path, "utf8");
        const found = wasmImport.exec(source);
        if (!found) throw new Error(`${args.path}: Prisma's query compiler import was not found (did the generated client change?)`);
        const [, specifier, name] = found as unknown as [string, string, string];
        const { wasm } = createRequire(args.path)(specifier.replace(/\.mjs$/, ".js")) as { wasm: string };
        const file = `${name}.wasm`;
        // a fresh checkout has no dist/ yet: esbuild makes it only when it writes the bundle, after this
        await mkdir(path.dirname(outfile), { recursive: true });
        await writeFile(path.join(path.dirname(outfile), file), Buffer.from(wasm, "base64"));
        const fromFile = `const { readFile } = await import("node:fs/promises")\n    return new WebAssembly.Module(await readFile(new URL(${JSON.stringify(`./${file}`)}, import.meta.url)))`;
        return { contents: source.replace(wasmImport, fromFile), loader: "ts" };
      });
    },
  };
}

console.log(`built ${outfile} in ${Math.round(performance.now() - started)} ms`);
