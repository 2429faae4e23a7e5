import { spawn, type SpawnOptions } from "node:child_process";

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion, capturing its output. */
export function run(cmd: string, args: string[], options: SpawnOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], ...options });
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (d) => (stdout += d));
    child.stderr?.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

export async function runOrThrow(cmd: string, args: string[], options: SpawnOptions = {}): Promise<string> {
  const result = await run(cmd, args, options);
  if (result.code !== 0) {
    throw new Error(`${cmd} ${args.join(" ")} exited with ${result.code}:\n${result.stderr || result.stdout}`);
  }
  return result.stdout;
}

export const isRoot = (): boolean => process.getuid?.() === 0;

export async function commandExists(name: string): Promise<boolean> {
  return (await run("sh", ["-c", `command -v ${name}`])).code === 0;
}
