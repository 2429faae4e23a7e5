// Running one `bench:*` script and keeping its outcome in bench/results/: the contract's JSON as it printed it
// (<name>.json) or, when it failed, why (<name>.json holds { bench, failed: true, ... }); runs.json says with which
// arguments and how long each took, so a later `--only` run can report the others from their last results.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { benchResultSchema } from "./contract.ts";
import { parseLastLine, type BenchOutcome } from "./report.ts";

const STDERR_TAIL_LINES = 30;
const ANSI_COLOURS = /\x1b\[[0-9;]*m/g;
/** the start of the error of a script stopped because `npm run bench` itself was stopped */
export const INTERRUPTED = "interrupted";

/** Runs `npm run --silent bench:<name> -- args`, its stderr passed through to ours; the outcome from its last stdout line. */
export function runBenchScript(root: string, name: string, args: string[], timeoutMs: number): Promise<BenchOutcome> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn("npm", ["run", "--silent", `bench:${name}`, ...(args.length ? ["--", ...args] : [])], {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
      // its own process group: npm runs the script in a shell, and a stop must reach the script itself
      detached: true,
    });
    let stdout = "";
    let tail: string[] = [];
    let partial = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => {
      process.stderr.write(d);
      // the report is plain text: colours (Playwright's call logs have them) would show as escape codes
      const lines = (partial + d.toString().replace(ANSI_COLOURS, "")).split("\n");
      partial = lines.pop() ?? "";
      tail = [...tail, ...lines].slice(-STDERR_TAIL_LINES);
    });
    const stopGroup = (signal: NodeJS.Signals) => child.pid !== undefined && process.kill(-child.pid, signal);
    let timedOut = false;
    // a script's own watchdog should stop it first; this one only catches a script without one
    const timer = setTimeout(() => {
      timedOut = true;
      stopGroup("SIGTERM");
    }, timeoutMs);
    // Ctrl-C / a stop of `npm run bench` no longer reaches the script's own group: pass it on, so it cleans up
    let interruptedBy: NodeJS.Signals | undefined;
    const forward = (signal: NodeJS.Signals) => {
      interruptedBy = signal;
      stopGroup(signal);
    };
    process.on("SIGINT", forward);
    process.on("SIGTERM", forward);
    const finish = (exitCode: number | null, spawnError?: Error) => {
      clearTimeout(timer);
      process.off("SIGINT", forward);
      process.off("SIGTERM", forward);
      const seconds = (performance.now() - started) / 1000;
      const stderrTail = [...tail, partial].filter(Boolean).join("\n");
      const failure = (error: string): BenchOutcome => ({ name, ok: false, error, exitCode, stderrTail, seconds, args });
      if (spawnError) return resolve(failure(`could not start: ${spawnError.message}`));
      if (interruptedBy) return resolve(failure(`${INTERRUPTED} (${interruptedBy})`));
      if (timedOut) return resolve(failure(`stopped after ${Math.round(timeoutMs / 1000)} s without finishing`));
      if (exitCode !== 0) return resolve(failure(`exited with code ${exitCode ?? "none (killed by a signal)"}`));
      try {
        resolve({ name, ok: true, result: parseLastLine(stdout), seconds, args });
      } catch (error) {
        resolve(failure(error instanceof Error ? error.message : String(error)));
      }
    };
    child.on("error", (error) => finish(null, error));
    child.on("close", (code) => finish(code));
  });
}

const failureSchema = z.object({ bench: z.string(), failed: z.literal(true), error: z.string(), exitCode: z.number().nullable(), stderrTail: z.string() });
const runsSchema = z.record(z.string(), z.object({ args: z.array(z.string()), seconds: z.number() }));

/** Writes `outcome` to bench/results/<name>.json and its arguments and duration to runs.json. */
export async function saveOutcome(resultsDir: string, outcome: BenchOutcome): Promise<void> {
  await mkdir(resultsDir, { recursive: true });
  const content = outcome.ok ? outcome.result : { bench: outcome.name, failed: true, error: outcome.error, exitCode: outcome.exitCode, stderrTail: outcome.stderrTail };
  await writeFile(path.join(resultsDir, `${outcome.name}.json`), `${JSON.stringify(content, null, 2)}\n`);
  const runsFile = path.join(resultsDir, "runs.json");
  const runs = existsSync(runsFile) ? runsSchema.parse(JSON.parse(await readFile(runsFile, "utf8"))) : {};
  runs[outcome.name] = { args: outcome.args, seconds: Math.round(outcome.seconds) };
  await writeFile(runsFile, `${JSON.stringify(runs, null, 2)}\n`);
}

/** The outcome saved for `name` by an earlier run, if any. */
export async function loadOutcome(resultsDir: string, name: string): Promise<BenchOutcome | null> {
  const file = path.join(resultsDir, `${name}.json`);
  if (!existsSync(file)) return null;
  const runsFile = path.join(resultsDir, "runs.json");
  const runs = existsSync(runsFile) ? runsSchema.parse(JSON.parse(await readFile(runsFile, "utf8"))) : {};
  const { args, seconds } = runs[name] ?? { args: [], seconds: 0 };
  const json: unknown = JSON.parse(await readFile(file, "utf8"));
  const failure = failureSchema.safeParse(json);
  if (failure.success) return { name, ok: false, error: failure.data.error, exitCode: failure.data.exitCode, stderrTail: failure.data.stderrTail, seconds, args };
  return { name, ok: true, result: benchResultSchema.parse(json), seconds, args };
}
