// `npm run bench`: every `bench:*` script of package.json, one after the other (they each start their own servers
// and would disturb each other's numbers), each one's last stdout line (the benchmark JSON contract,
// report/contract.ts) saved to bench/results/<name>.json, then bench/report.md with SVG charts in bench/charts/.
// A script that fails is in the report with its error and the end of its stderr. Benchmarks not run this time
// (--only) are reported from their last saved results, marked as such.
//
//   npm run bench                                   (every benchmark with its defaults: about an hour here)
//   npm run bench -- --quick                        (short runs: each script's smoke-run arguments below)
//   npm run bench -- --only join,turn --quick
//   npm run bench -- --args "join=--joins 5 --cases 2-p2p" --note "the machine was shared with a build"
//   npm run bench -- --rewrite                      (runs nothing: the same report again from bench/results, e.g.
//                                                    after a change to the report writer)
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { repoRoot } from "../../tests/harness/paths.ts";
import { machineInfo } from "./report/contract.ts";
import { INTERRUPTED, loadOutcome, runBenchScript, saveOutcome } from "./report/outcomes.ts";
import { buildReport, type BenchOutcome, type ReportInput } from "./report/report.ts";

/** --quick: the smoke-run arguments each script documents; a script not listed runs with its defaults */
const QUICK_ARGS: Record<string, string[]> = {
  signaling: ["--clients", "200", "--seconds", "10", "--step-seconds", "5", "--max-steps", "5", "--refine", "1"],
  chat: ["--messages", "100000", "--senders", "50", "--seconds", "5", "--backlog", "2000"],
  join: ["--joins", "2"],
  turn: ["--joins", "2", "--seconds", "5"],
  match: ["--clients", "200", "--seconds", "10"],
};
const SCRIPT_TIMEOUT_MS = 90 * 60_000;

const { values: args } = parseArgs({
  options: {
    only: { type: "string" },
    quick: { type: "boolean", default: false },
    /** "name=--flag value ...": arguments for one script (replace --quick's for it) */
    args: { type: "string", multiple: true, default: [] },
    note: { type: "string" },
    out: { type: "string", default: "bench" },
    rewrite: { type: "boolean", default: false },
  },
});

const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);

async function benchNames(): Promise<string[]> {
  const manifest = JSON.parse(await readFile(path.join(repoRoot, "package.json"), "utf8")) as { scripts: Record<string, string> };
  return Object.keys(manifest.scripts)
    .filter((s) => s.startsWith("bench:"))
    .map((s) => s.slice("bench:".length));
}

function scriptArgs(name: string): string[] {
  const given = args.args.find((a) => a.startsWith(`${name}=`));
  if (given)
    return given
      .slice(name.length + 1)
      .split(/\s+/)
      .filter(Boolean);
  return args.quick ? (QUICK_ARGS[name] ?? []) : [];
}

/** what heads the report besides the outcomes, saved beside the results for --rewrite */
type ReportHeader = Omit<ReportInput, "outcomes"> & { outcomeNames: string[] };
const EARLIER = " (earlier run)";

async function main(): Promise<number> {
  const outDir = path.resolve(repoRoot, args.out);
  const resultsDir = path.join(outDir, "results");
  if (args.rewrite) return rewrite(outDir, resultsDir);
  const all = await benchNames();
  const only = args.only?.split(",").map((s) => s.trim()) ?? all;
  const unknown = only.filter((n) => !all.includes(n));
  if (unknown.length) {
    log(`--only names no bench:* script: ${unknown.join(", ")} (there are: ${all.join(", ")})`);
    return 2;
  }
  const loadBefore = os.loadavg()[0]!;
  const outcomes: BenchOutcome[] = [];
  const toRun = all.filter((name) => only.includes(name));
  // written again after every script: a run stopped part way (or still going) leaves the report of what ran
  const write = () => writeReport(outDir, outcomes, toRun.slice(outcomes.filter((o) => toRun.includes(o.name)).length), loadBefore);
  for (const name of all) {
    if (!only.includes(name)) {
      const earlier = await loadOutcome(resultsDir, name);
      if (earlier) outcomes.push({ ...earlier, name: `${name}${EARLIER}` });
      continue;
    }
    const scriptArguments = scriptArgs(name);
    log(`bench:${name} ${scriptArguments.join(" ")}`);
    const outcome = await runBenchScript(repoRoot, name, scriptArguments, SCRIPT_TIMEOUT_MS);
    log(`bench:${name}: ${outcome.ok ? "ok" : `FAILED: ${outcome.error}`} in ${Math.round(outcome.seconds)} s`);
    await saveOutcome(resultsDir, outcome);
    outcomes.push(outcome);
    await write();
    if (!outcome.ok && outcome.error.startsWith(INTERRUPTED)) {
      log("stopped: the report has the benchmarks run so far");
      break;
    }
  }
  await write();
  return outcomes.some((o) => !o.ok) ? 1 : 0;
}

async function writeReport(outDir: string, outcomes: BenchOutcome[], pending: string[], loadBefore: number): Promise<void> {
  const header: ReportHeader = {
    outcomeNames: outcomes.map((o) => o.name),
    pending,
    machine: machineInfo(),
    date: new Date().toISOString(),
    load: { before: Math.round(loadBefore * 100) / 100, after: Math.round(os.loadavg()[0]! * 100) / 100 },
    note: args.note,
    command: `npm run bench -- ${process.argv.slice(2).join(" ")}`.trim(),
  };
  await writeFile(path.join(outDir, "results", "report-header.json"), `${JSON.stringify(header, null, 2)}\n`);
  await writeReportFiles(outDir, { ...header, outcomes });
}

/** --rewrite: the last report again, from the saved header and results, with the current writer. */
async function rewrite(outDir: string, resultsDir: string): Promise<number> {
  const { outcomeNames, ...header } = JSON.parse(await readFile(path.join(resultsDir, "report-header.json"), "utf8")) as ReportHeader;
  const outcomes: BenchOutcome[] = [];
  for (const name of outcomeNames) {
    const outcome = await loadOutcome(resultsDir, name.replace(EARLIER, ""));
    if (!outcome) throw new Error(`bench/results has no result for ${name}, which the last report had`);
    outcomes.push({ ...outcome, name });
  }
  await writeReportFiles(outDir, { ...header, outcomes });
  return 0;
}

async function writeReportFiles(outDir: string, input: ReportInput): Promise<void> {
  const report = buildReport(input);
  // the charts of this report only: an old chart file no longer linked would mislead
  await rm(path.join(outDir, "charts"), { recursive: true, force: true });
  await mkdir(path.join(outDir, "charts"), { recursive: true });
  for (const [file, svg] of report.charts) await writeFile(path.join(outDir, file), svg);
  await writeFile(path.join(outDir, "report.md"), report.markdown);
  log(`wrote ${path.relative(repoRoot, path.join(outDir, "report.md"))} with ${report.charts.size} chart(s)`);
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
