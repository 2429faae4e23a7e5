// Where `npm start` keeps its state, and the settings a running instance shares with extra realtime nodes.
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";

export interface RuntimeSettings {
  DATABASE_URL: string;
  /** Redis: its URL, or (REDIS_SENTINELS set) the Sentinels and the master's name */
  REDIS_URL?: string;
  REDIS_SENTINELS?: string;
  REDIS_SENTINEL_NAME?: string;
  NEXTAUTH_SECRET: string;
  NEXTAUTH_URL: string;
  ALLOWED_ORIGINS: string;
  REALTIME_PUBLIC_URL: string;
  /** the TURN server `npm start` gives browsers (its own coturn, or TURN_URLS/TURN_SECRET), for extra realtime nodes */
  TURN_URLS?: string;
  TURN_SECRET?: string;
}

export const dataDir = (root: string) => path.join(root, ".data");
const runtimeFile = (root: string) => path.join(dataDir(root), "runtime.json");

/** The session secret generated on the first start and kept in .data/ (when NEXTAUTH_SECRET is not set). */
export async function sessionSecret(root: string): Promise<string> {
  const file = path.join(dataDir(root), "nextauth-secret");
  if (existsSync(file)) return (await readFile(file, "utf8")).trim();
  const secret = randomBytes(32).toString("base64url");
  await mkdir(dataDir(root), { recursive: true });
  await writeFile(file, secret + "\n", { mode: 0o600 });
  return secret;
}

export async function writeRuntimeSettings(root: string, settings: RuntimeSettings): Promise<void> {
  await writeFile(runtimeFile(root), JSON.stringify(settings, null, 2) + "\n", { mode: 0o600 });
}

export async function readRuntimeSettings(root: string): Promise<RuntimeSettings> {
  try {
    return JSON.parse(await readFile(runtimeFile(root), "utf8")) as RuntimeSettings;
  } catch {
    throw new Error("No running QualMeet found (.data/runtime.json is missing): start it with `npm start` first.");
  }
}
