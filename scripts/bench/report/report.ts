// bench/report.md from the benchmarks' results: per benchmark its charts (SVG files beside the report), its
// headline numbers, the peer systems that could not run, or, for a script that failed, its error and the end of
// its output. The machine and the date head the report.
import { benchResultSchema, type BenchResult, type Machine } from "./contract.ts";
import { chartSvg } from "./svg.ts";

/** One `bench:*` script's outcome: the contract's object, or why there is none. */
export type BenchOutcome =
  | { name: string; ok: true; result: BenchResult; seconds: number; args: string[] }
  | { name: string; ok: false; error: string; exitCode: number | null; stderrTail: string; seconds: number; args: string[] };

export interface ReportInput {
  outcomes: BenchOutcome[];
  /** benchmarks of this run not finished yet when the report was written */
  pending?: string[];
  machine: Machine;
  date: string;
  /** load average (1 min) before and after the run: how busy the machine was apart from the benchmarks */
  load: { before: number; after: number };
  /** what the person running it wants said (e.g. "the machine was shared with other builds while measuring") */
  note?: string;
  command: string;
}

export interface Report {
  markdown: string;
  /** file name (relative to the report's folder) -> SVG text */
  charts: Map<string, string>;
}

/**
 * Reads the last non-empty line of a benchmark's stdout as the contract's object; throws with the reason (not
 * JSON, or which fields break the contract) otherwise.
 */
export function parseLastLine(stdout: string): BenchResult {
  const last = stdout.trimEnd().split("\n").at(-1)?.trim() ?? "";
  if (!last) throw new Error("printed nothing on stdout (the contract's JSON must be its last line)");
  let json: unknown;
  try {
    json = JSON.parse(last);
  } catch {
    throw new Error(`the last stdout line is not JSON: ${last.slice(0, 200)}`);
  }
  const parsed = benchResultSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
    throw new Error(`the last stdout line breaks the benchmark JSON contract: ${issues}`);
  }
  return parsed.data;
}

const slug = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");

/** Scalar results (numbers, strings, booleans) at the top level and one level down: the headline numbers. */
function headlineRows(results: Record<string, unknown>): Array<[string, string]> {
  const rows: Array<[string, string]> = [];
  const scalar = (v: unknown) => typeof v === "number" || typeof v === "string" || typeof v === "boolean" || v === null;
  for (const [key, value] of Object.entries(results)) {
    if (scalar(value)) rows.push([key, String(value)]);
    else if (value && typeof value === "object" && !Array.isArray(value)) {
      for (const [sub, v] of Object.entries(value)) if (scalar(v)) rows.push([`${key}.${sub}`, String(v)]);
    }
  }
  return rows.slice(0, 40);
}

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

export function buildReport(input: ReportInput): Report {
  const charts = new Map<string, string>();
  const { machine } = input;
  const failed = input.outcomes.filter((o) => !o.ok);
  const lines = [
    "# QualMeet benchmarks",
    "",
    `Written by \`${input.command}\` on ${input.date}.`,
    "",
    `Machine: ${machine.cpus} CPUs (${machine.model}), ${machine.memGb} GB memory, ${machine.kernel}. Load average (1 min): ${input.load.before} before the run, ${input.load.after} after.`,
    "",
    ...(input.note ? [`**Note:** ${input.note}`, ""] : []),
    "| benchmark | outcome | took | arguments |",
    "|---|---|---|---|",
    ...input.outcomes.map((o) => `| ${o.name} | ${o.ok ? "ok" : "**failed**"} | ${Math.round(o.seconds)} s | ${cell(o.args.join(" ")) || "(defaults)"} |`),
    "",
    ...(input.pending?.length ? [`Still to run when this was written: ${input.pending.join(", ")}.`, ""] : []),
    ...(failed.length ? [`${failed.length} of ${input.outcomes.length} benchmark(s) failed: see their sections.`, ""] : []),
    "Raw results: `bench/results/<name>.json` (the last stdout line of each script).",
    "",
  ];
  for (const outcome of input.outcomes) {
    lines.push(`## ${outcome.name}`, "");
    if (!outcome.ok) {
      lines.push(
        `**Failed** (exit code ${outcome.exitCode ?? "none: killed"}): ${outcome.error}`,
        "",
        "Last lines of its stderr:",
        "",
        "```",
        outcome.stderrTail.trimEnd(),
        "```",
        "",
      );
      continue;
    }
    const { result } = outcome;
    lines.push(`Measured ${result.date} on ${result.machine.cpus} CPUs.`, "");
    for (const u of result.unavailable ?? []) lines.push(`- **${u.system} unavailable:** ${u.reason}`);
    if (result.unavailable?.length) lines.push("");
    result.charts.forEach((chart, i) => {
      const file = `charts/${slug(outcome.name)}-${i + 1}-${slug(chart.title)}.svg`;
      charts.set(file, chartSvg(chart));
      lines.push(`![${chart.title}](${file})`, "");
    });
    if (!result.charts.length) lines.push("(no charts)", "");
    const rows = headlineRows(result.results);
    if (rows.length) lines.push("| result | value |", "|---|---|", ...rows.map(([k, v]) => `| ${cell(k)} | ${cell(v)} |`), "");
  }
  return { markdown: lines.join("\n"), charts };
}
