// The servers every example runs against (`npm run examples` and examples/examples.int.test.ts): a realtime node
// and the web app on free ports, over the PostgreSQL and Redis of the test stack (tests/harness/globalSetup.ts).
// Webhook endpoints may be on this machine: example 3's receiver listens on localhost.
import { readdir } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { Example, ExampleContext } from "../../examples/context.ts";
import { freePort } from "../../scripts/lib/ports.ts";
import { exampleContext } from "./exampleContext.ts";
import { repoRoot } from "./paths.ts";
import { startRealtime, startWeb } from "./servers.ts";

export const EXAMPLE_SERVER_ENV = { WEBHOOK_ALLOW_PRIVATE_ADDRESSES: "true" };

export interface ExampleStack {
  context: ExampleContext;
  stop(): Promise<void>;
}

export async function startExampleStack(log: (line: string) => void = () => {}): Promise<ExampleStack> {
  // the realtime node must allow the web origin, and the web app must know the realtime URL: fix the port first
  const webPort = await freePort();
  const realtime = await startRealtime({ allowedOrigins: [`http://localhost:${webPort}`], env: EXAMPLE_SERVER_ENV });
  try {
    const web = await startWeb({ port: webPort, env: { ...EXAMPLE_SERVER_ENV, REALTIME_PUBLIC_URL: realtime.wsUrl } });
    return {
      context: exampleContext(web, realtime, log),
      stop: async () => {
        await Promise.allSettled([web.stop(), realtime.stop()]);
      },
    };
  } catch (error) {
    await realtime.stop();
    throw error;
  }
}

/** Every example: `examples/<n>-<slug>/example.ts`, in the order of their numbers. */
export async function loadExamples(): Promise<Example[]> {
  const dir = path.join(repoRoot, "examples");
  const folders = (await readdir(dir, { withFileTypes: true }))
    .filter((entry) => entry.isDirectory() && /^\d+-/.test(entry.name))
    .map((entry) => entry.name)
    .sort((a, b) => Number.parseInt(a, 10) - Number.parseInt(b, 10));
  const examples: Example[] = [];
  for (const folder of folders) {
    const module = (await import(pathToFileURL(path.join(dir, folder, "example.ts")).href)) as { example?: Example };
    if (!module.example) throw new Error(`examples/${folder}/example.ts exports no \`example\` (examples/context.ts)`);
    examples.push(module.example);
  }
  return examples;
}
