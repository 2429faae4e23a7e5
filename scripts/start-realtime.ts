// `npm run start:realtime -- --port 3002`: one more realtime node for the QualMeet that `npm start` runs
// (same PostgreSQL, Redis and session secret, read from .data/runtime.json).
import path from "node:path";
import { fileURLToPath } from "node:url";
import { readRuntimeSettings } from "./lib/config.ts";
import { spawnTsServer } from "./lib/processes.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const settings = await readRuntimeSettings(root);
const node = spawnTsServer({
  name: "realtime",
  root,
  script: "apps/realtime/src/main.ts",
  args: process.argv.slice(2),
  env: { ...process.env, ...settings, NODE_ENV: "production" },
  output: "inherit",
});
const forward = (signal: NodeJS.Signals) => void node.stop(signal).then(() => process.exit(0));
process.on("SIGINT", () => forward("SIGTERM"));
process.on("SIGTERM", () => forward("SIGTERM"));
process.exitCode = (await node.exited) ?? 1;
