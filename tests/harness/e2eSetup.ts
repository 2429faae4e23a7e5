// Set up in every end-to-end test file (vitest setupFiles): browsers record traces, and a failed test's
// screenshots and traces are saved (tests/harness/artifacts.ts). This file's afterEach is registered first, so
// it runs after the test file's own afterEach hooks (vitest runs them as a stack): contexts those close are
// saved as they close, the rest here.
import path from "node:path";
import { afterEach, beforeEach } from "vitest";
import { recordFailures, testFinished, testStarted } from "./artifacts.ts";
import { repoRoot } from "./paths.ts";

recordFailures();

beforeEach(({ task }) => {
  const names: string[] = [];
  for (let suite = task.suite; suite; suite = suite.suite) if (suite.name) names.unshift(suite.name);
  testStarted([path.basename(task.file.filepath), ...names, task.name].join(" - "), () => task.result?.state === "fail");
});

afterEach(async ({ task }) => {
  const dir = await testFinished();
  if (dir) {
    console.error(
      `[e2e artifacts] "${task.name}" failed: screenshots and traces in ${path.relative(repoRoot, dir)}/ ` +
        `(open a trace with: npx playwright-core show-trace ${path.relative(repoRoot, dir)}/context-1.trace.zip)`,
    );
  }
});
