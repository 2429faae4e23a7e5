// `npm run start:realtime -- --port 3002`: one more realtime node for the QualMeet that `npm start` runs
// (same PostgreSQL, Redis and session secret, read from .data/runtime.json). Its media workers listen on free
// ports of their own unless MEDIA_PORT is set (the first node holds MEDIA_PORT's).
import path from "node:path";
import { fileURLToPath } from "node:url";
import { exitOnInvalidEnv, parseStartEnv } from "../packages/config/src/env.ts";
import { readRuntimeSettings } from "./lib/config.ts";
import { mediaPortEnv } from "./lib/ports.ts";
import { buildRealtime, spawnRealtime } from "./lib/serverBuild.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const settings = await readRuntimeSettings(root);
const env = exitOnInvalidEnv("qualmeet", () => parseStartEnv(process.env));
const mediaPort = process.env.MEDIA_PORT ? {} : await mediaPortEnv(env.MEDIA_WORKERS, env.MEDIA_LISTEN_IP);
if (mediaPort.MEDIA_PORT) console.log(`qualmeet: this node's media workers listen from port ${mediaPort.MEDIA_PORT} (UDP and TCP)`);
await buildRealtime(root, { quiet: true });
const node = spawnRealtime({
  name: "realtime",
  root,

  args: process.argv.slice(2),
  env: { ...process.env, ...settings, ...mediaPort, NODE_ENV: "production" },
  output: "inherit",
});
const forward = (signal: NodeJS.Signals) => void node.stop(signal).then(() => process.exit(0));
process.on("SIGINT", () => forward("SIGTERM"));
process.on("SIGTERM", () => forward("SIGTERM"));
process.exitCode = (await node.exited) ?? 1;
