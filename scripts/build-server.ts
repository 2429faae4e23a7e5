// A server's production build: `node --import tsx ../../scripts/build-server.ts ENTRY.ts` (an app's `build` task,
// run by turbo, which caches it) bundles ENTRY and the workspace packages it imports (TypeScript source) into
// dist/ENTRY.js, so production runs plain `node dist/ENTRY.js` without transpiling at run time (no tsx loader:
// less memory, faster start). Packages from node_modules stay imports: some find files next to themselves at run
// time (mediasoup's worker, Prisma's query compiler, native addons) and Next cannot be bundled.
import path from "node:path";
import { build } from "esbuild";

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
    {
      name: "node-modules-external",
      setup(bundler) {
        // bare imports stay imports, except the workspace's own packages, whose exports are TypeScript source
        bundler.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith("@qualmeet/") ? undefined : { path: args.path, external: true }));
      },
    },
  ],
});
console.log(`built ${outfile} in ${Math.round(performance.now() - started)} ms`);
