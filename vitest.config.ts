import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  // the web app's "@/..." imports (apps/web/tsconfig.json paths), for its unit tests
  resolve: { alias: [{ find: /^@\//, replacement: `${path.resolve(import.meta.dirname, "apps/web/src")}/` }] },
  test: {
    include: ["apps/**/src/**/*.test.ts", "packages/**/src/**/*.test.ts", "scripts/**/*.test.ts", "apps/web/e2e/**/*.e2e.ts"],
    exclude: ["**/node_modules/**", "**/.next/**"],
    globalSetup: ["tests/harness/globalSetup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // every file starts its own servers (and some a browser): two cores run them one at a time
    fileParallelism: false,
    pool: "forks",
    isolate: true,
  },
});
