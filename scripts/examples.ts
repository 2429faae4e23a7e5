// `npm run examples [-- --only NAME,...]`: starts a throwaway stack (PostgreSQL, Redis, the web app and a realtime
// node on free ports, as the tests do), runs every example under examples/ as a developer would (each `verify`
// starts the example's own program), and exits 0 only if each did its job.
import { parseArgs } from "node:util";
import setupTestStack from "../tests/harness/globalSetup.ts";
import { loadExamples, startExampleStack } from "../tests/harness/exampleStack.ts";

const { values } = parseArgs({ options: { only: { type: "string" } } });
const only = values.only?.split(",").map((name) => name.trim());
const log = (line: string) => process.stdout.write(`${line}\n`);

const examples = (await loadExamples()).filter((example) => !only || only.some((name) => example.name.includes(name)));
if (examples.length === 0) {
  log(only ? `examples: none matches --only ${values.only}` : "examples: there is none under examples/");
  process.exit(2);
}
log("examples: starting PostgreSQL, Redis, the web app and a realtime node");
const teardown = await setupTestStack();
const failed: string[] = [];
try {
  const stack = await startExampleStack((line) => log(`  ${line}`));
  try {
    for (const example of examples) {
      log(`examples: ${example.name}`);
      const startedAt = Date.now();
      try {
        const summary = await example.verify(stack.context);
        log(`  ok (${((Date.now() - startedAt) / 1000).toFixed(1)} s): ${summary}`);
      } catch (error) {
        failed.push(example.name);
        log(`  FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      }
    }
  } finally {
    await stack.stop();
  }
} finally {
  await teardown();
}
log(failed.length ? `examples: ${failed.length} of ${examples.length} failed: ${failed.join(", ")}` : `examples: all ${examples.length} did their job`);
process.exit(failed.length ? 1 : 0);
