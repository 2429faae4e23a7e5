import path from "node:path";
import { defineConfig } from "vitest/config";

// Three projects, chosen by file name (README "Development"):
//   unit         *.test.ts      no servers, no global setup, files in parallel: seconds
//   integration  *.int.test.ts  real PostgreSQL and Redis from the global setup, servers per file
//   e2e          *.e2e.ts       the same plus headless Chromium
// They run in that order (sequence.groupOrder), so a broken unit test shows before the slow projects start.
const sources = ["apps/*/src/**", "packages/*/src/**", "scripts/**", "examples/**"];

export default defineConfig({
  // the web app's "@/..." imports (apps/web/tsconfig.json paths), for its unit tests
  resolve: { alias: [{ find: /^@\//, replacement: `${path.resolve(import.meta.dirname, "apps/web/src")}/` }] },
  test: {
    exclude: ["**/node_modules/**", "**/.next/**"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    isolate: true,
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          // deploy/: the deployment files checked against the code (deploy.test.ts)
          include: [...sources.map((dir) => `${dir}/*.test.ts`), "deploy/*.test.ts"],
          exclude: ["**/node_modules/**", "**/.next/**", "**/*.int.test.ts"],
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: sources.map((dir) => `${dir}/*.int.test.ts`),
          globalSetup: ["tests/harness/globalSetup.ts"],
          setupFiles: ["tests/harness/freshRateLimits.ts"],
          // every file starts its own servers: two cores run them one at a time
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
      {
        extends: true,
        test: {
          name: "e2e",
          include: ["apps/web/e2e/**/*.e2e.ts"],
          globalSetup: ["tests/harness/globalSetup.ts", "tests/harness/artifactsSetup.ts"],
          // a failed test leaves screenshots and a Playwright trace under .test-artifacts/
          setupFiles: ["tests/harness/freshRateLimits.ts", "tests/harness/e2eSetup.ts"],
          fileParallelism: false,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
