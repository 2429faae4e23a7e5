import { expect, test } from "vitest";
import type { BenchResult, Chart } from "./contract.ts";
import { buildReport, parseLastLine, type BenchOutcome } from "./report.ts";

const machine = { cpus: 2, model: "AMD EPYC", memGb: 23.5, kernel: "Linux 6.18" };
const throughput: Chart = {
  title: "Signaling throughput",
  x: { label: "offered load", unit: "sends/s" },
  y: { label: "delivered", unit: "per s" },
  series: [
    {
      system: "qualmeet",
      points: [
        [1000, 990],
        [2000, 1980],
      ],
    },
    {
      system: "socket.io",
      points: [
        [1000, 950],
        [2000, 1500],
      ],
    },
  ],
};
const signaling: BenchResult = {
  bench: "signaling",
  machine,
  date: "2026-12-04T10:00:00.000Z",
  results: { max_sends_per_s: 2000, qualmeet: { p99_ms: 12.5 } },
  charts: [throughput],
};

function report(outcomes: BenchOutcome[], note?: string, pending?: string[]) {
  return buildReport({ outcomes, pending, machine, date: "2026-12-04T11:00:00.000Z", load: { before: 1.5, after: 3.2 }, note, command: "npm run bench -- --quick" });
}

test("the contract's line is read from the end of stdout, progress before it ignored", () => {
  const stdout = `warming up\n{"partial": true}\n${JSON.stringify(signaling)}\n\n`;
  expect(parseLastLine(stdout)).toEqual(signaling);
});

test("a last line that is not the contract's object is refused with the fields that break it", () => {
  expect(() => parseLastLine("")).toThrow(/printed nothing on stdout/);
  expect(() => parseLastLine("done in 3 s\n")).toThrow(/not JSON: done in 3 s/);
  // the old bench:sfu shape: its own fields, none of the contract's
  expect(() => parseLastLine(JSON.stringify({ producers: 8, consumers: 150 }))).toThrow(/breaks the benchmark JSON contract: bench: .*machine: .*charts: /);
  const invented = { ...signaling, charts: [{ ...throughput, series: [{ system: "janus", points: [[1000, null]] }] }] };
  expect(() => parseLastLine(JSON.stringify(invented))).toThrow(/charts\.0\.series\.0\.points\.0\.1/);
});

test("the report heads with the machine, the date and the note, and links one SVG per chart that has every system", () => {
  const ok: BenchOutcome = { name: "signaling", ok: true, result: signaling, seconds: 532.4, args: ["--clients", "200"] };
  const { markdown, charts } = report([ok], "the machine was shared with other helpers' builds");
  expect(markdown).toContain("2 CPUs (AMD EPYC), 23.5 GB memory, Linux 6.18");
  expect(markdown).toContain("2026-12-04T11:00:00.000Z");
  expect(markdown).toContain("**Note:** the machine was shared with other helpers' builds");
  expect(markdown).toContain("| signaling | ok | 532 s | --clients 200 |");
  expect([...charts.keys()]).toEqual(["charts/signaling-1-signaling-throughput.svg"]);
  expect(markdown).toContain("![Signaling throughput](charts/signaling-1-signaling-throughput.svg)");
  const svg = charts.get("charts/signaling-1-signaling-throughput.svg")!;
  expect(svg).toContain('data-system="qualmeet"');
  expect(svg).toContain('data-system="socket.io"');
  // the headline numbers, nested ones by their path
  expect(markdown).toContain("| max_sends_per_s | 2000 |");
  expect(markdown).toContain("| qualmeet.p99_ms | 12.5 |");
});

test("a script that failed stays in the report with its error and the end of its stderr", () => {
  const failed: BenchOutcome = {
    name: "join",
    ok: false,
    error: "exited with code 1",
    exitCode: 1,
    stderrTail: "[bench:join] Chromium did not start\nError: spawn ENOENT",
    seconds: 12,
    args: [],
  };
  const ok: BenchOutcome = { name: "signaling", ok: true, result: signaling, seconds: 30, args: [] };
  const { markdown, charts } = report([failed, ok], undefined, ["turn"]);
  expect(markdown).toContain("| join | **failed** | 12 s | (defaults) |");
  expect(markdown).toContain("1 of 2 benchmark(s) failed");
  expect(markdown).toContain("## join\n\n**Failed** (exit code 1): exited with code 1");
  expect(markdown).toContain("Error: spawn ENOENT");
  expect(markdown).toContain("Still to run when this was written: turn.");
  expect(charts.size).toBe(1);
});

test("a peer system that could not run is named with its reason", () => {
  const withoutJanus: BenchResult = { ...signaling, bench: "sfu", unavailable: [{ system: "janus", reason: "apt: Unable to locate package janus" }] };
  const { markdown } = report([{ name: "sfu", ok: true, result: withoutJanus, seconds: 40, args: [] }]);
  expect(markdown).toContain("- **janus unavailable:** apt: Unable to locate package janus");
});
